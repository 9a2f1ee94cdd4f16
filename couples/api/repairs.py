"""Repairs: open one, take each step, pause, close, answer follow-ups, check an apology."""

import marshmallow as ma
from flask import request
from flask_smorest import Blueprint

from couples.api.common import accepts, load, no_body
from couples.clock import isoformat, utcnow
from couples.i18n import N_, current_language, translated
from couples.repair import apology, content, machine, queries, services, trust
from couples.repair.machine import HURT
from couples.repair.models import Repair
from couples.repair.schemas import (
    ApologyCheckIn,
    ApologyIn,
    ChooseIn,
    CloseIn,
    ConfirmIn,
    FollowUpIn,
    HearingIn,
    OpenIn,
    PauseIn,
    PlanIn,
    QuestionAnswerIn,
    QuestionIn,
    ReadyIn,
    ReflectConfirmIn,
    ReflectIn,
    ResponseStepIn,
    TrustCheckIn,
    TrustWeeksIn,
)
from couples.validation import Range
from couples.web import couple_or_404

blp = Blueprint("api_repairs", __name__, url_prefix="/api/v1", description="Repairs")

ID_RE = r"^[A-Za-z0-9_-]{1,16}$"


class RepairPageArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    cursor = ma.fields.String(validate=ma.validate.Regexp(ID_RE, error=N_("Not a valid cursor.")))
    limit = ma.fields.Integer(load_default=30, validate=Range(min=1, max=100))


# --------------------------------------------------------------------------- responses
class StepSchema(ma.Schema):
    action = ma.fields.String(
        required=True,
        metadata={
            "description": "open, ready, hearing, reflect, reflect_confirm, apology, "
            "response, plan, reconnect_choose, reconnect_confirm, pause, resume, close or "
            "follow_up"
        },
    )
    by = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "me, partner, or null for the clock"},
    )
    state_before = ma.fields.String(required=True)
    state_after = ma.fields.String(required=True)
    at = ma.fields.String(required=True)
    written = ma.fields.Dict(
        required=True,
        metadata={
            "description": "What was written in the step. My partner's plan part shows once "
            "I have sent mine."
        },
    )


class FollowUpSchema(ma.Schema):
    id = ma.fields.String(required=True)
    days = ma.fields.Integer(required=True)
    due_at = ma.fields.String(required=True)
    open = ma.fields.Boolean(required=True, metadata={"description": "its date has come"})
    complete = ma.fields.Boolean(required=True)
    my_outcome = ma.fields.String(allow_none=True, required=True)
    my_note = ma.fields.String(allow_none=True, required=True)
    partner_answered = ma.fields.Boolean(required=True)
    partner_outcome = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Shown once I have answered too (or it is complete)."},
    )
    partner_note = ma.fields.String(allow_none=True, required=True)


class CommitmentSchema(ma.Schema):
    id = ma.fields.String(required=True)
    text = ma.fields.String(required=True)
    owner = ma.fields.String(allow_none=True, required=True)
    follow_ups = ma.fields.List(ma.fields.Nested(FollowUpSchema), required=True)


class SuggestionSchema(ma.Schema):
    key = ma.fields.String(required=True)
    language = ma.fields.String(allow_none=True, required=True)
    text = ma.fields.String(required=True)


class WarningSchema(ma.Schema):
    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)
    part = ma.fields.String()
    match = ma.fields.String()


MY_ROLE = {
    "description": "apologizing or hurt; null while I am the partner who has not said how "
    "I see it yet, or while our views differ (no role is given before that)"
}


class RoleViewsSchema(ma.Schema):
    settled = ma.fields.Boolean(
        required=True, metadata={"description": "both have said, and the views fit"}
    )
    mine = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "hurt, apologizing, both, or null if I have not said"},
    )
    partner = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "my partner's view; null until both of us have said ours"},
    )


class RepairQuestionSchema(ma.Schema):
    id = ma.fields.String(required=True)
    asked_by = ma.fields.String(allow_none=True, required=True)
    question = ma.fields.String(required=True)
    asked_at = ma.fields.String(required=True)
    answer = ma.fields.String(allow_none=True, required=True)
    answered_at = ma.fields.String(allow_none=True, required=True)


class TrustCheckSchema(ma.Schema):
    week = ma.fields.Integer(required=True)
    due_at = ma.fields.String(required=True)
    open = ma.fields.Boolean(required=True)
    score = ma.fields.Integer(allow_none=True, required=True)
    note = ma.fields.String(allow_none=True, required=True)
    answered_at = ma.fields.String(allow_none=True, required=True)


class RepairSchema(ma.Schema):
    id = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    state = ma.fields.String(required=True)
    my_role = ma.fields.String(allow_none=True, required=True, metadata=MY_ROLE)
    views = ma.fields.Nested(
        RoleViewsSchema,
        required=True,
        metadata={
            "description": "How each of us sees our part. The partner who did not open the "
            "repair says theirs in their ready step; until both views fit, the walk waits."
        },
    )
    opened_by = ma.fields.String(allow_none=True, required=True)
    next_actor = ma.fields.String(
        allow_none=True, required=True, metadata={"description": "me, partner, both or null"}
    )
    paused_until = ma.fields.String(allow_none=True, required=True)
    created_at = ma.fields.String(required=True)
    ended_at = ma.fields.String(allow_none=True, required=True)
    ready = ma.fields.Dict(required=True, metadata={"description": "{me, partner}: booleans"})
    plan_sent = ma.fields.Dict(required=True, metadata={"description": "{me, partner}"})
    apology_rounds = ma.fields.Integer(required=True)
    partner_has_read = ma.fields.Boolean(
        allow_none=True,
        required=True,
        metadata={
            "description": "Whether my partner has opened the repair since my latest words "
            "(a revised apology or a new answer is unread until they open it again); "
            "null before I have written any."
        },
    )
    kind = ma.fields.String(required=True, metadata={"description": "everyday | trust"})
    questions = ma.fields.List(
        ma.fields.Nested(RepairQuestionSchema),
        required=True,
        metadata={"description": "In a repair of trust: the hurt partner's questions"},
    )
    trust_weeks = ma.fields.Integer(allow_none=True, required=True)
    trust_checks = ma.fields.List(ma.fields.Nested(TrustCheckSchema), required=True)
    reflection = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={
            "description": "From reflect on: what the apologizing partner heard, in their "
            "words (null until said, and again after the hurt partner added what was missed)."
        },
    )
    reconnect_choice = ma.fields.String(allow_none=True, required=True)
    reconnect_instead = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={
            "description": "In reconnect, after the hurt partner asked for something else: "
            "what they said they would like instead (null if nothing, or once a new "
            "choice is made)."
        },
    )
    reconnect_suggestions = ma.fields.List(ma.fields.Nested(SuggestionSchema), required=True)
    commitments = ma.fields.List(ma.fields.Nested(CommitmentSchema), required=True)
    steps = ma.fields.List(ma.fields.Nested(StepSchema), required=True)
    closing_note = ma.fields.String(allow_none=True, required=True)
    signpost = ma.fields.Dict(
        allow_none=True,
        required=True,
        metadata={"description": "Only for the person it concerns: {therapy, danger}."},
    )
    warnings = ma.fields.List(
        ma.fields.Nested(WarningSchema),
        metadata={
            "description": "After an apology: the apology check's warnings (never blocking)."
        },
    )


class RepairSummarySchema(ma.Schema):
    id = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    state = ma.fields.String(required=True)
    my_role = ma.fields.String(allow_none=True, required=True, metadata=MY_ROLE)
    next_actor = ma.fields.String(allow_none=True, required=True)
    paused_until = ma.fields.String(allow_none=True, required=True)
    created_at = ma.fields.String(required=True)
    ended_at = ma.fields.String(allow_none=True, required=True)


class RepairListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RepairSummarySchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


class WarningsSchema(ma.Schema):
    warnings = ma.fields.List(ma.fields.Nested(WarningSchema), required=True)


def _who(user_id, me_id) -> str | None:
    if user_id is None:
        return None
    return "me" if user_id == me_id else "partner"


def summary_data(repair: Repair, me_id: int, now) -> dict:
    return {
        "id": repair.public_id,
        "title": repair.title,
        "state": repair.state,
        "my_role": queries.my_role(repair, me_id),
        "next_actor": queries.next_actor(repair, me_id, now),
        "paused_until": isoformat(repair.paused_until) if queries.is_paused(repair, now) else None,
        "created_at": isoformat(repair.created_at),
        "ended_at": isoformat(repair.ended_at),
    }


def repair_data(repair: Repair, me_id: int, now) -> dict:
    """One repair as ``me_id`` sees it (the shared record, plus what is only theirs)."""
    mine = queries.role_of(repair, me_id)
    parts = repair.plan_parts or {}
    i_sent_plan = mine in parts
    hidden = queries.hidden_steps(repair, me_id)
    steps = [
        {
            "action": step.action,
            "by": _who(step.user_id, me_id),
            "state_before": step.state_before,
            "state_after": step.state_after,
            "at": isoformat(step.created_at),
            "written": hidden.get(step.id, step.payload),
        }
        for step in repair.steps
    ]
    commitments = []
    for commitment in repair.commitments:
        follow_ups = []
        for follow_up in commitment.follow_ups:
            answers = {a.user_id: a for a in follow_up.answers}
            my = answers.get(me_id)
            theirs = next((a for uid, a in answers.items() if uid != me_id), None)
            show = my is not None or follow_up.completed_at is not None
            follow_ups.append(
                {
                    "id": follow_up.public_id,
                    "days": follow_up.days,
                    "due_at": isoformat(follow_up.due_at),
                    "open": follow_up.due_at <= now,
                    "complete": follow_up.completed_at is not None,
                    "my_outcome": my.outcome if my else None,
                    "my_note": my.note if my else None,
                    "partner_answered": theirs is not None,
                    "partner_outcome": theirs.outcome if theirs and show else None,
                    "partner_note": theirs.note if theirs and show else None,
                }
            )
        commitments.append(
            {
                "id": commitment.public_id,
                "text": commitment.text,
                "owner": _who(commitment.owner_id, me_id),
                "follow_ups": follow_ups,
            }
        )
    return {
        **summary_data(repair, me_id, now),
        "views": _views(repair, me_id),
        "opened_by": _who(repair.opened_by_id, me_id),
        "ready": {
            "me": mine in (repair.ready_roles or []),
            "partner": machine.other(mine) in (repair.ready_roles or []),
        },
        "plan_sent": {"me": i_sent_plan, "partner": machine.other(mine) in parts},
        "apology_rounds": repair.apology_rounds,
        "partner_has_read": _partner_has_read(repair, me_id),
        "kind": repair.kind,
        **trust.data(repair, me_id, now),
        "reflection": repair.reflection,
        "reconnect_choice": repair.reconnect_choice,
        "reconnect_instead": queries.reconnect_instead(repair),
        "reconnect_suggestions": [
            {**s, "text": translated(s["text"])} for s in queries.reconnect_suggestions(repair)
        ]
        if repair.state == "reconnect"
        else [],
        "commitments": commitments,
        "steps": steps,
        "closing_note": repair.closing_note,
        "signpost": queries.signposts(repair=repair, viewer_id=me_id, now=now),
    }


def _views(repair: Repair, me_id: int) -> dict:
    settled = queries.roles_settled(repair)
    if repair.opener_view is None:  # from before partners were asked: as opened
        mine = queries.role_of(repair, me_id)
        return {"settled": True, "mine": mine, "partner": machine.other(mine)}
    opener = me_id == repair.opened_by_id
    mine, theirs = (
        (repair.opener_view, repair.partner_view)
        if opener
        else (repair.partner_view, repair.opener_view)
    )
    both_said = repair.partner_view is not None
    return {"settled": settled, "mine": mine, "partner": theirs if both_said else None}


def _partner_has_read(repair: Repair, me_id: int) -> bool | None:
    mine = queries.my_latest_words(repair, me_id)
    if mine is None:
        return None
    partner_id = repair.hurt_id if repair.apologizing_id == me_id else repair.apologizing_id
    return queries.seen_by(repair, partner_id, mine)


def _body() -> dict:
    return request.get_json(silent=True, cache=True) if request.data else {}


# ------------------------------------------------------------------------------ routes
@blp.route("/repairs", methods=["POST"])
@blp.response(201, RepairSchema)
@accepts(blp, OpenIn)
def open_repair():
    """Open a repair about one incident, saying how I see my part (apologizing or hurt).
    My partner is told a repair was started (never its title, nor a role), and says how
    they see theirs in their ``ready`` step."""
    pairing, now = couple_or_404(), utcnow()
    body = load(OpenIn)
    repair = services.open_repair(
        pairing=pairing,
        title=body["title"],
        role=body["role"],
        kind=body["kind"],
        now=now,
        seen=body["send_anyway"],
    )
    return repair_data(repair, pairing.me.id, now)


@blp.route("/repairs", methods=["GET"])
@blp.arguments(RepairPageArgs, location="query")
@blp.response(200, RepairListSchema)
def list_repairs(args):
    """Our repairs, newest first."""
    pairing, now = couple_or_404(), utcnow()
    items, cursor = queries.listing(pairing=pairing, before=args.get("cursor"), limit=args["limit"])
    return {"items": [summary_data(r, pairing.me.id, now) for r in items], "next_cursor": cursor}


@blp.route("/repairs/<repair_id>", methods=["GET"])
@blp.response(200, RepairSchema)
def get_repair(repair_id: str):
    """One repair: its state, whose move it is (``next_actor``), every step. Opening it
    counts as having read it (``partner_has_read`` on my partner's side)."""
    pairing, now = couple_or_404(), utcnow()
    repair = queries.find(pairing=pairing, repair_id=repair_id)
    data = repair_data(repair, pairing.me.id, now)
    services.note_seen(pairing=pairing, repair=repair, now=now)
    return data


_STEP_BODIES = {
    "oneOf": [
        ReadyIn,
        HearingIn,
        ReflectIn,
        ReflectConfirmIn,
        ApologyIn,
        ResponseStepIn,
        PlanIn,
        ChooseIn,
        ConfirmIn,
    ]
}


@blp.route("/repairs/<repair_id>/steps/<step>", methods=["POST"])
@blp.doc(
    parameters=[
        {
            "in": "path",
            "name": "step",
            "required": True,
            "schema": {"type": "string", "enum": list(machine.STEP_STATES)},
        }
    ],
    requestBody={"required": False, "content": {"application/json": {"schema": _STEP_BODIES}}},
)
@blp.response(200, RepairSchema)
def take_step(repair_id: str, step: str):
    """Act in the repair's current state. 404 for an unknown repair or step, 409 when
    the repair is not at that step (or is paused, or ended), 403 when it is not my turn,
    422 for a bad body, in that order. In ``ready`` the partner who did not open the
    repair first says how they see it (``{view}``: hurt, apologizing or both; nobody is
    given a role before that); when the two views differ the repair stays in ``ready``
    and either may send ``{view}`` again to settle it. Otherwise sending my ``ready``
    again changes nothing; my
    ``plan`` part may be sent again (it replaces the earlier one) until the plan is
    complete. In ``reflect`` the apologizing partner sends ``{what_i_heard}``, and the
    hurt partner ``{thats_it: true}`` or ``{thats_it: false, missed}`` (then it is said
    back again). In ``reconnect`` the apologizing partner sends ``{choice}``, the hurt
    partner ``{confirmed}``."""
    pairing, now = couple_or_404(), utcnow()
    repair = queries.find(pairing=pairing, repair_id=repair_id, lock=True)
    repair, warnings = services.act(
        pairing=pairing, repair=repair, step=step, body=_body(), now=now
    )
    data = repair_data(repair, pairing.me.id, now)
    if step == "apology":
        data["warnings"] = warnings
    return data


@blp.route("/repairs/<repair_id>/pause", methods=["POST"])
@blp.response(200, RepairSchema)
@accepts(blp, PauseIn)
def pause(repair_id: str):
    """A timeout of 20 minutes to 24 hours: the repair keeps its place, resumes by itself
    at the return time (both partners are told), and either may resume earlier."""
    pairing, now = couple_or_404(), utcnow()
    repair = queries.find(pairing=pairing, repair_id=repair_id, lock=True)
    repair = services.pause(pairing=pairing, repair=repair, body=_body(), now=now)
    return repair_data(repair, pairing.me.id, now)


@blp.route("/repairs/<repair_id>/resume", methods=["POST"])
@blp.response(200, RepairSchema)
def resume(repair_id: str):
    """Come back before the return time."""
    pairing, now = couple_or_404(), utcnow()
    repair = queries.find(pairing=pairing, repair_id=repair_id, lock=True)
    if not queries.pause_is_over(repair, now):  # its 409 comes before a body's 422
        services.check_control(pairing=pairing, repair=repair, action="resume", now=now)
    no_body()
    repair = services.resume(pairing=pairing, repair=repair, now=now)
    return repair_data(repair, pairing.me.id, now)


@blp.route("/repairs/<repair_id>/close", methods=["POST"])
@blp.response(200, RepairSchema)
@accepts(blp, CloseIn)
def close(repair_id: str):
    """End the repair early, with an optional note."""
    pairing, now = couple_or_404(), utcnow()
    repair = queries.find(pairing=pairing, repair_id=repair_id, lock=True)
    repair = services.close(pairing=pairing, repair=repair, body=_body(), now=now)
    return repair_data(repair, pairing.me.id, now)


@blp.route("/repairs/<repair_id>/follow-ups/<follow_up_id>", methods=["POST"])
@blp.response(200, RepairSchema)
@accepts(blp, FollowUpIn)
def answer_follow_up(repair_id: str, follow_up_id: str):
    """ "Did we follow through on this commitment?" — once each, from its date on. 409
    before its date, once I answered, or when it is complete."""
    pairing, now = couple_or_404(), utcnow()
    repair = queries.find(pairing=pairing, repair_id=repair_id, lock=True)
    repair = services.answer_follow_up(
        pairing=pairing, repair=repair, follow_up_id=follow_up_id, body=_body(), now=now
    )
    return repair_data(repair, pairing.me.id, now)


# ---------------------------------------------------------------- a repair of trust


@blp.route("/repairs/<repair_id>/questions", methods=["POST"])
@blp.response(201, RepairSchema)
@accepts(blp, QuestionIn)
def ask_question(repair_id: str):
    """In a repair of trust, the hurt partner asks a question (any time it is not
    closed); the other is told there is one, never what it is. 409 for another kind of
    repair, 403 for the apologizing partner."""
    pairing, now = couple_or_404(), utcnow()
    repair = queries.find(pairing=pairing, repair_id=repair_id, lock=True)
    trust.check(repair, pairing, HURT)
    body = load(QuestionIn)
    trust.ask(
        pairing=pairing,
        repair=repair,
        question=body["question"].strip(),
        now=now,
        seen=body["send_anyway"],
    )
    return repair_data(repair, pairing.me.id, now)


@blp.route("/repairs/<repair_id>/questions/<question_id>/answer", methods=["POST"])
@blp.response(200, RepairSchema)
@accepts(blp, QuestionAnswerIn)
def answer_question(repair_id: str, question_id: str):
    """The apologizing partner answers a question, once: 404 for no such question, 409
    for another kind of repair (or one closed, or not begun), 403 for the hurt partner,
    409 once answered, then 422 for a bad body."""
    pairing, now = couple_or_404(), utcnow()
    repair = queries.find(pairing=pairing, repair_id=repair_id, lock=True)
    trust.question_to_answer(repair, pairing, question_id)  # 404, 409, 403 before 422
    body = load(QuestionAnswerIn)
    trust.answer(
        pairing=pairing,
        repair=repair,
        question_id=question_id,
        text=body["answer"].strip(),
        now=now,
        seen=body["send_anyway"],
    )
    return repair_data(repair, pairing.me.id, now)


@blp.route("/repairs/<repair_id>/trust-checkins", methods=["PUT"])
@blp.response(200, RepairSchema)
@accepts(blp, TrustWeeksIn)
def plan_trust_checkins(repair_id: str):
    """The hurt partner plans a weekly "how safe does this feel?" for 4, 6, 8 or 12
    weeks, the first a week from now (weeks not answered yet are planned anew)."""
    pairing, now = couple_or_404(), utcnow()
    repair = queries.find(pairing=pairing, repair_id=repair_id, lock=True)
    trust.check(repair, pairing, HURT)
    body = load(TrustWeeksIn)
    trust.plan_checks(pairing=pairing, repair=repair, weeks=body["weeks"], now=now)
    return repair_data(repair, pairing.me.id, now)


@blp.route("/repairs/<repair_id>/trust-checkins/<int:week>", methods=["POST"])
@blp.response(200, RepairSchema)
@accepts(blp, TrustCheckIn)
def answer_trust_checkin(repair_id: str, week: int):
    """This week's answer, 1 (not safe at all) to 5 (safe), with a note: the hurt
    partner's alone, from its day on, once; both see it."""
    pairing, now = couple_or_404(), utcnow()
    repair = queries.find(pairing=pairing, repair_id=repair_id, lock=True)
    trust.week_to_answer(repair, pairing, week, now)  # 404, 409, 403 before 422
    body = load(TrustCheckIn)
    trust.answer_check(
        pairing=pairing,
        repair=repair,
        week=week,
        score=body["score"],
        note=(body.get("note") or "").strip() or None,
        now=now,
    )
    return repair_data(repair, pairing.me.id, now)


@blp.route("/apology-check", methods=["POST"])
@blp.response(200, WarningsSchema)
@accepts(blp, ApologyCheckIn)
def apology_check():
    """Gentle warnings for an apology draft (``{text}`` or its three parts): they never
    block sending. A sound apology gets none. The draft is read as written in the
    request's language (English or Spanish)."""
    couple_or_404()
    body = load(ApologyCheckIn)
    body["feelings"] = content.said_feelings(body.get("feelings") or [])
    checked = apology.check(**body, language=current_language())
    return {"warnings": apology.as_dicts(checked)}
