"""Plans together: our shared list of ideas, and plans one of us proposes for a day and
time that the other answers, yes or another time."""

from datetime import time, timedelta

import marshmallow as ma
from flask_smorest import Blueprint

from couples.api.common import accepts, load
from couples.clock import local_date, utcnow
from couples.grow import together
from couples.grow.schemas import IdeaInSchema, TogetherAnswerInSchema, TogetherPlanInSchema
from couples.i18n import translated
from couples.web import couple_or_404

blp = Blueprint("api_together", __name__, url_prefix="/api/v1", description="Plans together")


class PlanSchema(ma.Schema):
    id = ma.fields.String(required=True)
    by = ma.fields.String(required=True, metadata={"description": "me | partner"})
    text = ma.fields.String(required=True)
    starts_at = ma.fields.String(required=True, metadata={"description": "UTC"})
    status = ma.fields.String(
        required=True,
        metadata={"description": "asked | yes | another_time | past (its time went by)"},
    )
    answer = ma.fields.String(allow_none=True, required=True)
    answer_note = ma.fields.String(allow_none=True, required=True)


class PlanListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(PlanSchema), required=True)


class OwnIdeaSchema(ma.Schema):
    id = ma.fields.String(required=True)
    text = ma.fields.String(required=True)
    by = ma.fields.String(allow_none=True, required=True, metadata={"description": "me | partner"})


class SaidSchema(ma.Schema):
    who = ma.fields.String(required=True, metadata={"description": "me | partner"})
    text = ma.fields.String(required=True)
    date = ma.fields.String(required=True, metadata={"description": "The weekly check-in's"})


class IdeaSuggestionSchema(ma.Schema):
    key = ma.fields.String(required=True)
    text = ma.fields.String(required=True)
    kind = ma.fields.String(
        required=True, metadata={"description": "a love language, nostalgic or playful"}
    )


class IdeasSchema(ma.Schema):
    ours = ma.fields.List(ma.fields.Nested(OwnIdeaSchema), required=True)
    from_check_ins = ma.fields.List(
        ma.fields.Nested(SaidSchema),
        required=True,
        metadata={
            "description": "What we said in the last four weeks' weekly check-ins we'd do "
            "together (my partner's once that check-in is revealed)"
        },
    )
    suggestions = ma.fields.List(ma.fields.Nested(IdeaSuggestionSchema), required=True)


def _idea(idea, me: int) -> dict:
    by = None if idea.added_by_id is None else ("me" if idea.added_by_id == me else "partner")
    return {"id": idea.public_id, "text": idea.text, "by": by}


@blp.route("/couple/ideas", methods=["GET"])
@blp.response(200, IdeasSchema)
def ideas():
    """Our list of things to do together, what the weekly check-ins said, and suggestions
    from both our top love languages and a built-in set."""
    pairing, now = couple_or_404(), utcnow()
    today = local_date(now, pairing.me.timezone)
    return {
        "ours": [_idea(i, pairing.me.id) for i in together.our_ideas(pairing)],
        "from_check_ins": together.from_check_ins(
            pairing,
            since=today - timedelta(days=together.WEEKS_BACK),
            until=today + timedelta(days=1),
        ),
        "suggestions": [
            {"key": i.key, "text": translated(i.text), "kind": i.kind}
            for i in together.suggestions(pairing, today)
        ],
    }


@blp.route("/couple/ideas", methods=["POST"])
@blp.response(201, OwnIdeaSchema)
@accepts(blp, IdeaInSchema)
def add_idea():
    """An idea on our list (both of us see it)."""
    pairing = couple_or_404()
    body = load(IdeaInSchema)
    idea = together.add_idea(pairing=pairing, text=body["text"].strip(), now=utcnow())
    return _idea(idea, pairing.me.id)


@blp.route("/couple/ideas/<idea_id>", methods=["DELETE"])
@blp.response(204)
def remove_idea(idea_id: str):
    """Take an idea off our list (either of us may)."""
    together.remove_idea(pairing=couple_or_404(), idea_id=idea_id)


@blp.route("/couple/plans", methods=["GET"])
@blp.response(200, PlanListSchema)
def plans():
    """Our plans to come and those of the last three weeks, soonest first."""
    pairing, now = couple_or_404(), utcnow()
    found = together.listing(pairing=pairing, now=now)
    return {"items": [together.data(p, pairing.me.id, now) for p in found]}


@blp.route("/couple/plans", methods=["POST"])
@blp.response(201, PlanSchema)
@accepts(blp, TogetherPlanInSchema)
def propose():
    """Propose a plan for a day and time on my clock (up to 60 days on). My partner is
    asked; both are reminded two hours before once they say yes."""
    pairing, now = couple_or_404(), utcnow()
    body = load(TogetherPlanInSchema)
    plan = together.propose(
        pairing=pairing,
        text=body["text"].strip(),
        day=body["day"],
        at=time.fromisoformat(body["time"]),
        now=now,
        seen=body["send_anyway"],
    )
    return together.data(plan, pairing.me.id, now)


@blp.route("/couple/plans/<plan_id>", methods=["GET"])
@blp.response(200, PlanSchema)
def one(plan_id: str):
    """One of our plans."""
    pairing, now = couple_or_404(), utcnow()
    return together.data(together.find(pairing=pairing, plan_id=plan_id), pairing.me.id, now)


@blp.route("/couple/plans/<plan_id>", methods=["DELETE"])
@blp.response(204)
def withdraw(plan_id: str):
    """Call off a plan I proposed, before its time (409 for my partner's, or after)."""
    together.withdraw(pairing=couple_or_404(), plan_id=plan_id, now=utcnow())


@blp.route("/couple/plans/<plan_id>/answer", methods=["POST"])
@blp.response(200, PlanSchema)
@accepts(blp, TogetherAnswerInSchema)
def answer(plan_id: str):
    """My partner's plan: yes, or another time (with a word on what suits me). Once."""
    pairing, now = couple_or_404(), utcnow()
    together.find(pairing=pairing, plan_id=plan_id)  # 404 comes before a refused body
    body = load(TogetherAnswerInSchema)
    plan = together.answer(
        pairing=pairing,
        plan_id=plan_id,
        reply=body["answer"],
        note=(body.get("note") or "").strip() or None,
        now=now,
        seen=body["send_anyway"],
    )
    return together.data(plan, pairing.me.id, now)
