"""Bids for connection as pages: send one, answer one, log one noticed in person."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from couples import drafts
from couples.bids import services
from couples.bids.schemas import BidInSchema
from couples.clock import utcnow
from couples.errors import DomainError, Invalid
from couples.i18n import N_
from couples.lovelanguages.content import BID_GUIDES, BID_PRESETS
from couples.safetycheck import SafetyCheck, help_first, seen_on_page
from couples.validation import validate
from couples.web import couple_or_404

bp = Blueprint("bids", __name__, url_prefix="/bids")


def _render(pairing):
    try:
        items, cursor = services.listing(
            pairing=pairing, before=request.args.get("before", "")[:16] or None
        )
    except Invalid:
        items, cursor = services.listing(pairing=pairing)  # an old link: start at the top
    now = utcnow()
    form, errors, _notice = drafts.restore()  # a refused bid or answer, kept
    return render_template(
        "bids/list.html",
        pairing=pairing,
        items=items,
        cursor=cursor,
        status=lambda b: services.status(b, now),
        presets=BID_PRESETS,
        guides=BID_GUIDES,
        errors=errors,
        form=form if errors else {},
        zone=ZoneInfo(pairing.me.timezone),
    )


@bp.route("")
@login_required
def listing():
    return _render(couple_or_404())


@bp.route("", methods=["POST"])
@login_required
def send():
    pairing = couple_or_404()
    noticed = request.form.get("noticed") == "1"
    data = {
        "preset": request.form.get("preset") or None,
        "text": request.form.get("text", ""),
        "noticed": noticed,
    }
    if noticed:
        data["my_response"] = request.form.get("my_response") or None
        if data["my_response"] is None:
            data.pop("my_response")
    try:
        body = validate(BidInSchema, data)
    except Invalid as error:
        return drafts.refuse(url_for("bids.listing"), errors=error.errors)
    text = (body.get("text") or "").strip() or None
    if noticed:
        services.log_noticed(
            pairing=pairing,
            text=text,
            preset=body.get("preset"),
            my_response=body["my_response"],
            now=utcnow(),
        )
        flash(_("Noted, just for you."), "success")
    else:
        try:
            services.send(
                pairing=pairing,
                preset=body.get("preset"),
                text=text,
                now=utcnow(),
                seen=seen_on_page(),
            )
        except SafetyCheck as check:
            return help_first(
                check,
                written=[("text", N_("In my own words"))],
                source=N_("a bid"),  # kept as written here, shown translated
                back=url_for("bids.listing"),
            )
        flash(_("Sent to %(name)s.", name=pairing.partner.display_name), "success")
    return redirect(url_for("bids.listing"))


@bp.route("/<bid_id>/response", methods=["POST"])
@login_required
def respond(bid_id: str):
    pairing = couple_or_404()
    response = request.form.get("response", "")
    later_at = None
    if response == "later":
        raw = request.form.get("later_at", "")
        try:
            later_at = (
                datetime.fromisoformat(raw).replace(tzinfo=ZoneInfo(pairing.me.timezone))
                if raw
                else None
            )
        except ValueError:
            later_at = None
    try:
        services.respond(
            pairing=pairing, bid_id=bid_id, response=response, later_at=later_at, now=utcnow()
        )
    except Invalid as error:
        errors = {f"later-{bid_id}": sum(error.errors.values(), [])}
        return drafts.refuse(url_for("bids.listing"), errors=errors)
    except DomainError as error:
        if error.status == 404:
            abort(404)
        flash(str(error), "info")
    return redirect(url_for("bids.listing"))
