"""The gratitude journal and sending an appreciation."""

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from couples import drafts
from couples.appreciations import services
from couples.appreciations.schemas import AppreciationInSchema
from couples.clock import utcnow
from couples.errors import NotFound
from couples.grow.services import find as journal_entry
from couples.i18n import N_
from couples.lovelanguages.content import LANGUAGE_LABELS, LANGUAGES
from couples.lovelanguages.services import profiles
from couples.notifications.services import read_kind
from couples.safetycheck import SafetyCheck, help_first, seen_on_page
from couples.validation import Invalid, validate
from couples.web import couple_or_404

bp = Blueprint("appreciations", __name__, url_prefix="/appreciations")


@bp.route("")
@login_required
def journal():
    pairing = couple_or_404()
    before = request.args.get("before", "")
    before_id = int(before) if before.isdigit() and len(before) <= 10 else None
    notes, cursor = services.journal(pairing=pairing, before_id=before_id)
    page = render_template(
        "appreciations/journal.html",
        notes=notes,
        cursor=cursor,
        pairing=pairing,
        labels=LANGUAGE_LABELS,
        zone=ZoneInfo(pairing.me.timezone),
    )
    # What "sent you an appreciation" pointed to has been seen.
    read_kind(user_id=pairing.me.id, kind="appreciation_received", now=utcnow())
    return page


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    pairing = couple_or_404()
    form, errors, _notice = drafts.restore()  # a refused appreciation, kept
    if request.method == "POST":
        data = {
            "text": request.form.get("text", ""),
            "language": request.form.get("language") or None,
        }
        try:
            body = validate(AppreciationInSchema, data)
        except Invalid as error:
            return drafts.refuse(url_for("appreciations.new"), errors=error.errors)
        else:
            try:
                services.send(
                    pairing=pairing,
                    text=body["text"].strip(),
                    language=body.get("language"),
                    now=utcnow(),
                    seen=seen_on_page(),
                )
            except SafetyCheck as check:
                return help_first(
                    check,
                    written=[("text", N_("What you appreciated"))],
                    source=N_("an appreciation"),  # kept as written here, shown translated
                    back=url_for("appreciations.journal"),
                )
            flash(_("Sent to %(name)s.", name=pairing.partner.display_name), "success")
            return redirect(url_for("appreciations.journal"))
    if not form and request.args.get("entry"):
        # A memory from my journal, to shorten or change before it goes: only mine.
        try:
            entry = journal_entry(user=pairing.me, entry_id=request.args["entry"])
        except NotFound:
            abort(404)
        form = {"text": entry.text}
    theirs = profiles([pairing.partner.id]).get(pairing.partner.id)
    page = render_template(
        "appreciations/new.html",
        pairing=pairing,
        errors=errors,
        form=form,
        labels=LANGUAGE_LABELS,
        languages=LANGUAGES,
        top=theirs.ranking[0] if theirs else None,
    )
    return page
