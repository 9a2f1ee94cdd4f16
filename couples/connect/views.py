"""The Connect page: appreciations, reaching out and love languages, gathered in one place."""

from flask import Blueprint, render_template
from flask_login import login_required

from couples.clock import local_date, utcnow
from couples.lovelanguages import content
from couples.lovelanguages.services import profiles, small_move_for
from couples.web import current_pairing, me

bp = Blueprint("connect", __name__)


@bp.route("/connect")
@login_required
def hub():
    pairing = current_pairing()
    if pairing is None:
        return render_template("connect.html", pairing=None)
    found = profiles([me().id, pairing.partner.id])
    theirs = found.get(pairing.partner.id)
    language, idea = small_move_for(theirs, local_date(utcnow(), pairing.me.timezone))
    return render_template(
        "connect.html",
        pairing=pairing,
        mine=found.get(me().id),
        theirs=theirs,
        language=language,
        idea=idea,
        labels=content.LANGUAGE_LABELS,
    )
