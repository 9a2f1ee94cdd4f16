"""Appreciations and bids for connection."""

from datetime import datetime

import marshmallow as ma
from flask_smorest import Blueprint

from couples.api.common import IdPageArgs, accepts, load
from couples.appreciations import services as appreciations
from couples.appreciations.schemas import AppreciationInSchema
from couples.bids import services as bids
from couples.bids.schemas import BidInSchema, ResponseInSchema
from couples.clock import isoformat, utcnow
from couples.i18n import N_, translated
from couples.lovelanguages.content import BID_GUIDES, BID_PRESETS
from couples.web import couple_or_404

blp = Blueprint(
    "api_connection", __name__, url_prefix="/api/v1", description="Appreciations and bids"
)


class BidPageArgs(IdPageArgs):
    """Bids page by their public ids."""

    cursor = ma.fields.String(
        validate=ma.validate.Regexp(r"^[A-Za-z0-9_-]{1,16}$", error=N_("Not a valid cursor."))
    )


# ------------------------------------------------------------------------ appreciations
class AppreciationSchema(ma.Schema):
    id = ma.fields.String(required=True)
    from_me = ma.fields.Boolean(required=True)
    text = ma.fields.String(required=True)
    language = ma.fields.String(allow_none=True, required=True)
    created_at = ma.fields.String(required=True)


class JournalSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AppreciationSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


def appreciation_data(note, me_id: int) -> dict:
    return {
        "id": str(note.id),
        "from_me": note.from_user_id == me_id,
        "text": note.text,
        "language": note.language,
        "created_at": isoformat(note.created_at),
    }


@blp.route("/appreciations", methods=["POST"])
@blp.response(201, AppreciationSchema)
@accepts(blp, AppreciationInSchema)
def send_appreciation():
    """Send my partner an appreciation (they get a push that names me, not the text)."""
    pairing = couple_or_404()
    body = load(AppreciationInSchema)
    note = appreciations.send(
        pairing=pairing,
        text=body["text"].strip(),
        language=body.get("language"),
        now=utcnow(),
        seen=body["send_anyway"],
    )
    return appreciation_data(note, pairing.me.id)


@blp.route("/appreciations", methods=["GET"])
@blp.arguments(IdPageArgs, location="query")
@blp.response(200, JournalSchema)
def journal(args):
    """Our gratitude journal, newest first."""
    pairing = couple_or_404()
    before = int(args["cursor"]) if "cursor" in args else None
    notes, cursor = appreciations.journal(pairing=pairing, before_id=before, limit=args["limit"])
    return {
        "items": [appreciation_data(n, pairing.me.id) for n in notes],
        "next_cursor": str(cursor) if cursor else None,
    }


# ------------------------------------------------------------------------------- bids
class GuideSchema(ma.Schema):
    title = ma.fields.String(required=True)
    steps = ma.fields.List(ma.fields.String(), required=True)


class BidSchema(ma.Schema):
    id = ma.fields.String(required=True)
    from_me = ma.fields.Boolean(required=True)
    noticed_in_person = ma.fields.Boolean(required=True)
    preset = ma.fields.String(allow_none=True, required=True)
    label = ma.fields.String(allow_none=True, required=True)
    text = ma.fields.String(allow_none=True, required=True)
    created_at = ma.fields.String(required=True)
    status = ma.fields.String(
        required=True, metadata={"description": "open, toward, later, away or missed"}
    )
    later_at = ma.fields.String(allow_none=True, required=True)
    guide = ma.fields.Nested(
        GuideSchema,
        allow_none=True,
        required=True,
        metadata={
            "description": "For the partner a bid is sent to, while it is open, when its "
            "preset asks for a particular answer (good news, a hard day, a talk tonight)"
        },
    )


class BidListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(BidSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


def bid_data(bid, me_id: int, now: datetime) -> dict:
    status = bids.status(bid, now)
    return {
        "id": bid.public_id,
        "from_me": bid.from_user_id == me_id,
        "noticed_in_person": bid.logged_by_id is not None,
        "preset": bid.preset,
        "label": translated(BID_PRESETS.get(bid.preset)),
        "text": bid.text,
        "created_at": isoformat(bid.created_at),
        "status": status,
        "later_at": isoformat(bid.later_at),
        "guide": _guide(bid, me_id, status),
    }


def _guide(bid, me_id: int, status: str) -> dict | None:
    guide = BID_GUIDES.get(bid.preset or "")
    if guide is None or status != "open" or bid.to_user_id != me_id or bid.logged_by_id:
        return None
    return {"title": translated(guide.title), "steps": [translated(s) for s in guide.steps]}


@blp.route("/bids", methods=["POST"])
@blp.response(201, BidSchema)
@accepts(blp, BidInSchema)
def send_bid():
    """Send a bid (a preset or my own words), or log one noticed in person with
    ``noticed: true`` and how I responded (only I see those)."""
    pairing, now = couple_or_404(), utcnow()
    body = load(BidInSchema)
    text = (body.get("text") or "").strip() or None
    if body["noticed"]:
        bid = bids.log_noticed(
            pairing=pairing,
            text=text,
            preset=body.get("preset"),
            my_response=body["my_response"],
            now=now,
        )
    else:
        bid = bids.send(
            pairing=pairing,
            preset=body.get("preset"),
            text=text,
            now=now,
            seen=body["send_anyway"],
        )
    return bid_data(bid, pairing.me.id, now)


@blp.route("/bids/<bid_id>/response", methods=["POST"])
@blp.response(200, BidSchema)
@accepts(blp, ResponseInSchema)
def respond(bid_id: str):
    """Answer a bid made to me: toward, later (with a time) or away. 409 once answered or
    after 12 hours (missed), 403 for my own bid."""
    pairing, now = couple_or_404(), utcnow()
    bid = bids.find(pairing=pairing, bid_id=bid_id)
    bids.check_can_respond(pairing=pairing, bid=bid, now=now)
    body = load(ResponseInSchema)
    bid = bids.respond(
        pairing=pairing,
        bid_id=bid.public_id,
        response=body["response"],
        later_at=body.get("later_at"),
        now=now,
    )
    return bid_data(bid, pairing.me.id, now)


@blp.route("/bids", methods=["GET"])
@blp.arguments(BidPageArgs, location="query")
@blp.response(200, BidListSchema)
def list_bids(args):
    """Our bids, newest first (bids noticed in person: only the ones I logged)."""
    pairing, now = couple_or_404(), utcnow()
    items, cursor = bids.listing(pairing=pairing, before=args.get("cursor"), limit=args["limit"])
    return {"items": [bid_data(b, pairing.me.id, now) for b in items], "next_cursor": cursor}
