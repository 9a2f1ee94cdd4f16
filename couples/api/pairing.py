import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint

from couples.api.common import accepts, load, no_body
from couples.api.serializers import InviteSchema, PairingSchema
from couples.api.views_data import couple_data, invite_data, partner_data
from couples.checkins.rules import prompt_text
from couples.clock import isoformat, utcnow
from couples.i18n import translated
from couples.links import public_origin
from couples.pairing import history, services
from couples.validation import Flag, Strict

blp = Blueprint("api_pairing", __name__, url_prefix="/api/v1", description="Pairing")


def _me():
    return current_user._get_current_object()


@blp.route("/invites", methods=["POST"])
@blp.response(201, InviteSchema)
def create_invite():
    """A single-use invite for my partner, valid 48 hours (409 when already linked)."""
    no_body()
    invite = services.create_invite(user=_me(), now=utcnow())
    return invite_data(invite, public_origin())


@blp.route("/invites/<code>/accept", methods=["POST"])
@blp.response(200, PairingSchema)
def accept_invite(code: str):
    """Link with the invite's author."""
    services.find_invite(code=code)  # 404 comes before a refused body
    no_body()
    pairing = services.accept_invite(user=_me(), code=code, now=utcnow())
    return {"couple": couple_data(pairing), "partner": partner_data(pairing.partner)}


class UnlinkSchema(Strict):
    erase_history = Flag(
        load_default=False,
        metadata={
            "description": "Erase our shared history now. Otherwise it comes back if we "
            "link again within 30 days (the COUPLE_RESTORE_DAYS setting), and is erased "
            "after them. Each of us keeps our own words either way."
        },
    )


@blp.route("/couple", methods=["DELETE"])
@blp.response(204)
@accepts(blp, UnlinkSchema)
def unlink():
    """End the link, at once and without the partner's approval (they get an in-app
    notice, no push). No body is needed."""
    services.require_pairing(_me())
    erase = load(UnlinkSchema)["erase_history"]
    services.unlink(user=_me(), now=utcnow(), erase=erase)


class AnswerWordsSchema(ma.Schema):
    key = ma.fields.String(required=True)
    prompt = ma.fields.String(required=True)
    value = ma.fields.Raw(required=True)


class CheckinWordsSchema(ma.Schema):
    date = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    answers = ma.fields.List(ma.fields.Nested(AnswerWordsSchema), required=True)


class AppreciationWordsSchema(ma.Schema):
    text = ma.fields.String(required=True)
    language = ma.fields.String(allow_none=True, required=True)
    sent_at = ma.fields.String(required=True)


class WordSchema(ma.Schema):
    label = ma.fields.String(required=True)
    text = ma.fields.String(required=True)


class RepairWordsSchema(ma.Schema):
    id = ma.fields.String(required=True)
    title = ma.fields.String(allow_none=True, required=True)
    opened_at = ma.fields.String(required=True)
    words = ma.fields.List(ma.fields.Nested(WordSchema), required=True)


class PastCoupleSchema(ma.Schema):
    id = ma.fields.String(required=True)
    partner_name = ma.fields.String(
        allow_none=True, required=True, metadata={"description": "null: account deleted"}
    )
    linked_at = ma.fields.String(required=True)
    ended_at = ma.fields.String(required=True)
    restorable_until = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Linking again before then brings the shared history back"},
    )
    checkins = ma.fields.List(ma.fields.Nested(CheckinWordsSchema), required=True)
    appreciations = ma.fields.List(ma.fields.Nested(AppreciationWordsSchema), required=True)
    repairs = ma.fields.List(ma.fields.Nested(RepairWordsSchema), required=True)


class OwnWordsSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(PastCoupleSchema), required=True)


@blp.route("/me/words", methods=["GET"])
@blp.response(200, OwnWordsSchema)
def own_words():
    """My own words from couples I am not in any more, newest first: my check-in
    answers, the appreciations I wrote, what I wrote in repairs. Never my former
    partner's."""
    return {
        "items": [
            {
                "id": str(past.couple_id),
                "partner_name": past.partner_name,
                "linked_at": isoformat(past.linked_at),
                "ended_at": isoformat(past.ended_at),
                "restorable_until": isoformat(past.restorable_until),
                "checkins": [
                    {
                        "date": c.day.isoformat(),
                        "kind": c.kind,
                        "answers": [
                            {"key": q["key"], "prompt": prompt_text(q), "value": value}
                            for q, value in c.answers
                        ],
                    }
                    for c in past.checkins
                ],
                "appreciations": [
                    {"text": n.text, "language": n.language, "sent_at": isoformat(n.created_at)}
                    for n in past.appreciations
                ],
                "repairs": [
                    {
                        "id": r.public_id,
                        "title": r.title,
                        "opened_at": isoformat(r.opened_at),
                        "words": [
                            {"label": translated(label), "text": text} for label, text in r.words
                        ],
                    }
                    for r in past.repairs
                ],
            }
            for past in history.own_words(_me())
        ]
    }
