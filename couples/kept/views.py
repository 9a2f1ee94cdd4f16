"""Kept for me: the words a person chose not to send, and keeping them from the page that
showed them where to find help first."""

import re
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from couples.clock import utcnow
from couples.errors import NotFound
from couples.i18n import N_
from couples.kept import services

bp = Blueprint("kept", __name__, url_prefix="/kept")

_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _local(path: str) -> str:
    """``path`` when it is a path of this site, else the kept words' page."""
    if path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return url_for("kept.listing")


@bp.route("")
@login_required
def listing():
    before = request.args.get("before", "")
    before_id = int(before) if before.isdigit() and len(before) <= 10 else None
    items, cursor = services.listing(user=current_user, before_id=before_id)
    return render_template(
        "kept/list.html", items=items, cursor=cursor, zone=ZoneInfo(current_user.timezone)
    )


@bp.route("", methods=["POST"])
@login_required
def keep():
    """Keep the words of the form that showed the help first (its ``kept_field`` and
    ``kept_label`` pairs), for me alone. Nothing is sent."""
    form = request.form
    parts = []
    for name, label in zip(form.getlist("kept_field"), form.getlist("kept_label"), strict=False):
        value = _NOT_TEXT.sub("", form.get(name, "")).strip()
        if value:
            parts.append(f"{_NOT_TEXT.sub('', label).strip()}\n{value}")
    back = _local(form.get("kept_next", ""))
    if not parts:
        flash(_("There were no words to keep. Nothing was sent."), "info")
        return redirect(back)
    source = _NOT_TEXT.sub("", form.get("kept_source", "")).strip()[:80] or N_("words not sent")
    services.keep(user=current_user, source=source, text="\n\n".join(parts)[:20000], now=utcnow())
    flash(_("Kept for you alone, in Kept for me. Nothing was sent."), "success")
    return redirect(back)


@bp.route("/<kept_id>/remove", methods=["POST"])
@login_required
def remove(kept_id: str):
    if not (kept_id.isascii() and kept_id.isdigit() and len(kept_id) <= 10):
        abort(404)
    if int(kept_id) >= 2**31:  # past the integer column: no such row
        abort(404)
    try:
        services.remove(user=current_user, kept_id=int(kept_id))
    except NotFound:
        abort(404)
    flash(_("Removed."), "success")
    return redirect(url_for("kept.listing"))
