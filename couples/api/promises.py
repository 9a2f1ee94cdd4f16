"""Small promises: everyday promises one partner makes to the other, each with a day, and
how both say it went. My partner's answer comes back once I have answered too."""

import marshmallow as ma
from flask_smorest import Blueprint

from couples.api.common import accepts, load
from couples.clock import utcnow
from couples.grow import promises
from couples.grow.schemas import PromiseInSchema
from couples.repair.schemas import FollowUpIn
from couples.web import couple_or_404

blp = Blueprint(
    "api_promises", __name__, url_prefix="/api/v1", description="Small promises between us"
)


class AnswerSchema(ma.Schema):
    outcome = ma.fields.String(required=True, metadata={"description": "kept | partly | not"})
    note = ma.fields.String(allow_none=True, required=True)
    at = ma.fields.String(required=True)


class PromiseSchema(ma.Schema):
    id = ma.fields.String(required=True)
    by = ma.fields.String(required=True, metadata={"description": "me | partner"})
    text = ma.fields.String(required=True)
    day = ma.fields.String(required=True, metadata={"description": "On its maker's calendar"})
    asks_at = ma.fields.String(
        required=True, metadata={"description": "When both are asked how it went (UTC)"}
    )
    status = ma.fields.String(
        required=True,
        metadata={
            "description": "coming (before asks_at) | open (mine to answer) | answered (I "
            "did, my partner not yet) | done (both answered, or three days went by)"
        },
    )
    my_answer = ma.fields.Nested(AnswerSchema, allow_none=True, required=True)
    partner_answer = ma.fields.Nested(
        AnswerSchema,
        allow_none=True,
        required=True,
        metadata={"description": "Only once I answered too, or once it is done"},
    )
    partner_answered = ma.fields.Boolean(required=True)


class PromiseListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(PromiseSchema), required=True)


def _one(promise_id: str, pairing) -> dict:
    found = promises.find(pairing=pairing, promise_id=promise_id)
    return promises.data(promises.view_of(found, pairing.me.id, utcnow()))


@blp.route("/couple/promises", methods=["GET"])
@blp.response(200, PromiseListSchema)
def listing():
    """Our promises whose day is at most three weeks ago, soonest day first."""
    pairing = couple_or_404()
    return {"items": [promises.data(v) for v in promises.listing(pairing=pairing, now=utcnow())]}


@blp.route("/couple/promises", methods=["POST"])
@blp.response(201, PromiseSchema)
@accepts(blp, PromiseInSchema)
def make():
    """A small promise to my partner for a day (today up to 60 days on, my calendar). My
    partner is told, without the words."""
    pairing = couple_or_404()
    body = load(PromiseInSchema)
    promise = promises.make(
        pairing=pairing,
        text=body["text"].strip(),
        day=body["day"],
        now=utcnow(),
        seen=body["send_anyway"],
    )
    return _one(promise.public_id, pairing)


@blp.route("/couple/promises/<promise_id>", methods=["GET"])
@blp.response(200, PromiseSchema)
def one(promise_id: str):
    """One of our promises."""
    return _one(promise_id, couple_or_404())


@blp.route("/couple/promises/<promise_id>", methods=["DELETE"])
@blp.response(204)
def take_back(promise_id: str):
    """Take back a promise I made, until one of us has said how it went (409 after)."""
    promises.take_back(pairing=couple_or_404(), promise_id=promise_id, now=utcnow())


@blp.route("/couple/promises/<promise_id>/answer", methods=["POST"])
@blp.response(200, PromiseSchema)
@accepts(blp, FollowUpIn)
def answer(promise_id: str):
    """How it went: kept, partly or not (yet), with a note; from the evening of its day
    (409 before, or when I answered already, or once it is done)."""
    pairing = couple_or_404()
    promises.find(pairing=pairing, promise_id=promise_id)  # 404 comes before a refused body
    body = load(FollowUpIn)
    promises.answer(
        pairing=pairing,
        promise_id=promise_id,
        outcome=body["outcome"],
        note=(body.get("note") or "").strip() or None,
        now=utcnow(),
        seen=body["send_anyway"],
    )
    return _one(promise_id, pairing)
