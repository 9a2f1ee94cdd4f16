from datetime import date

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import Blueprint

from couples.api.common import accepts, load
from couples.api.serializers import CoupleSchema
from couples.api.views_data import couple_data
from couples.checkins import reactions, rules, services
from couples.checkins.schemas import (
    AnswersSchema,
    CoupleSettingsSchema,
    ReactionSchema,
    settings_changes,
)
from couples.clock import isoformat, utcnow
from couples.errors import NotFound
from couples.i18n import translated
from couples.pairing.services import Pairing
from couples.validation import Range
from couples.web import couple_or_404

blp = Blueprint("api_checkins", __name__, url_prefix="/api/v1", description="Check-ins")


def parse_day(text: str) -> date:
    """A YYYY-MM-DD path segment, or 404."""
    day = rules.parse_day(text)
    if day is None:
        raise NotFound(_("There is no check-in for that date."))
    return day


def _a_date(text: str) -> None:
    if rules.parse_day(text) is None:
        raise ma.ValidationError(_("Use a date, YYYY-MM-DD."))


# --------------------------------------------------------------------------- responses
class QuestionSchema(ma.Schema):
    key = ma.fields.String(required=True)
    type = ma.fields.String(required=True)
    prompt = ma.fields.String(required=True)
    required = ma.fields.Boolean(required=True)
    options = ma.fields.List(ma.fields.String())
    min = ma.fields.Integer()
    max = ma.fields.Integer()
    follows = ma.fields.String(
        metadata={"description": "Asked only after a yes to the question with this key."}
    )
    hint = ma.fields.String(metadata={"description": "A word on what the question means."})


class CheckinSchema(ma.Schema):
    date = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    questions = ma.fields.List(ma.fields.Nested(QuestionSchema), required=True)
    my_answers = ma.fields.Dict(allow_none=True, required=True)
    partner_answered = ma.fields.Boolean(required=True)
    revealed = ma.fields.Boolean(required=True)
    revealed_at = ma.fields.String(allow_none=True, required=True)
    partner_answers = ma.fields.Dict(metadata={"description": "Only once revealed."})
    editable = ma.fields.Boolean(required=True)
    small_move = ma.fields.Dict(
        allow_none=True,
        required=True,
        metadata={
            "description": "While I wait for my partner: {language, idea}, an idea drawn from "
            "their top love language (language null when they have none)."
        },
    )
    agenda = ma.fields.Dict(
        allow_none=True,
        required=True,
        metadata={
            "description": "On an open weekly check-in: the week's appreciations, 'would help "
            "me' and 'on my mind' items (the partner's only from revealed days), and the "
            "small promises of those days ({who, text, date, mine, theirs}: the outcomes, "
            "the partner's once I answered too or the promise is over); the plans we said "
            "yes to in those days, to ask how each was ({text, date, who}); and what we said "
            "in the weekly check-in before this one we'd do together ({who, text, date}, "
            "the partner's only once that check-in was revealed)."
        },
    )
    next_steps = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={
            "description": "Why a revealed check-in offers a next step: needs_low, "
            "needs_apart, on_my_mind."
        },
    )
    reactions = ma.fields.Nested(
        lambda: ReactionsSchema(),
        metadata={"description": "Only once revealed: reactions to each other's answers."},
    )


class ReactionsSchema(ma.Schema):
    mine = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        required=True,
        metadata={"description": "Question key: what I sent on my partner's answer."},
    )
    partner = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        required=True,
        metadata={"description": "Question key: what my partner sent on my answer."},
    )
    unseen = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={"description": "Keys of my partner's reactions I have not seen yet."},
    )


class TodaySchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CheckinSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)
    days_together_this_month = ma.fields.Integer(required=True)


class HistorySchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CheckinSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


class HistoryArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    # rules.parse_day: a real date, YYYY-MM-DD (year 1 on).
    cursor = ma.fields.String(
        validate=_a_date,
        metadata={"format": "date", "pattern": r"^(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    )
    limit = ma.fields.Integer(
        load_default=services.HISTORY_PAGE,
        validate=Range(min=1, max=services.HISTORY_MAX),
    )


class ScheduleOutSchema(ma.Schema):
    nightly_days = ma.fields.List(ma.fields.String(), required=True)
    weekly_day = ma.fields.String(allow_none=True, required=True)


class CustomQuestionOutSchema(ma.Schema):
    id = ma.fields.String(required=True)
    key = ma.fields.String(required=True)
    type = ma.fields.String(required=True)
    prompt = ma.fields.String(required=True)
    options = ma.fields.List(ma.fields.String(), allow_none=True)


class CoupleWithSettingsSchema(CoupleSchema):
    schedule = ma.fields.Nested(ScheduleOutSchema, required=True)
    modules = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Boolean(), required=True)
    custom_questions = ma.fields.List(ma.fields.Nested(CustomQuestionOutSchema), required=True)


def question_data(question: dict) -> dict:
    """A question in the reader's words (the couple's own as they wrote them); its key,
    type and options as they are."""
    said = {**question, "prompt": rules.prompt_text(question)}
    if question.get("hint"):
        said["hint"] = translated(question["hint"])
    return said


def checkin_data(view: services.CheckinDay) -> dict:
    small_move = view.small_move
    if small_move is not None:
        small_move = {**small_move, "idea": translated(small_move.get("idea"))}
    data = {
        "date": view.day.isoformat(),
        "kind": view.kind,
        "questions": [question_data(q) for q in view.questions],
        "my_answers": view.my_answers,
        "partner_answered": view.partner_answered,
        "revealed": view.revealed,
        "revealed_at": isoformat(view.revealed_at),
        "editable": view.open,
        "next_steps": view.next_steps,
        "small_move": small_move,
        "agenda": view.agenda,
    }
    if view.partner_answers is not None:
        data["partner_answers"] = view.partner_answers
    if view.reactions is not None:
        data["reactions"] = view.reactions
    return data


def couple_settings_data(pairing: Pairing) -> dict:
    schedule = services.schedule_of(pairing.couple)
    custom = services.active_custom_questions(pairing.couple.id)
    return {
        **couple_data(pairing),
        "schedule": {
            "nightly_days": [rules.WEEKDAYS[d] for d in sorted(schedule.nightly_days)],
            "weekly_day": (
                None if schedule.weekly_day is None else rules.WEEKDAYS[schedule.weekly_day]
            ),
        },
        "modules": {m: m not in schedule.modules_off for m in rules.MODULES},
        "custom_questions": [
            {
                "id": str(q.id),
                "key": rules.custom_key(q.id),
                "type": q.type,
                "prompt": q.prompt,
                "options": q.options,
            }
            for q in custom
        ],
    }


# ------------------------------------------------------------------------------ routes
@blp.route("/couple", methods=["GET"])
@blp.response(200, CoupleWithSettingsSchema)
def get_couple():
    """My couple with its check-in schedule, modules and custom questions (404 when not
    linked)."""
    return couple_settings_data(couple_or_404())


@blp.route("/couple", methods=["PATCH"])
@blp.response(200, CoupleWithSettingsSchema)
@accepts(blp, CoupleSettingsSchema)
def patch_couple():
    """Change the schedule, modules or custom questions; ``custom_questions`` replaces the
    list (keep one by sending its ``id``)."""
    pairing = couple_or_404()
    data = load(CoupleSettingsSchema)
    services.update_settings(
        pairing=pairing, now=utcnow(), changes=settings_changes(data, pairing.couple.modules_off)
    )
    return couple_settings_data(pairing)


@blp.route("/checkins/today", methods=["GET"])
@blp.response(200, TodaySchema)
def today():
    """My open check-ins: my local today first, then yesterday until noon."""
    views, together = services.open_checkins(pairing=couple_or_404(), now=utcnow())
    return {
        "items": [checkin_data(v) for v in views],
        "next_cursor": None,
        "days_together_this_month": together,
    }


@blp.route("/checkins/<day>/answers", methods=["PUT"])
@blp.response(200, CheckinSchema)
@accepts(blp, AnswersSchema)
def put_answers(day: str):
    """Submit or replace my answers for a date: 404 for a date without a check-in, 409
    once revealed or outside my window, 422 for invalid answers."""
    when = parse_day(day)
    pairing, now = couple_or_404(), utcnow()
    services.ensure_answerable(pairing=pairing, day=when, now=now)
    body = load(AnswersSchema)
    view = services.submit(
        pairing=pairing, day=when, answers=body["answers"], now=now, seen=body["send_anyway"]
    )
    return checkin_data(view)


@blp.route("/checkins/<day>", methods=["GET"])
@blp.response(200, CheckinSchema)
def one(day: str):
    """One date's check-in: open, or revealed (404 otherwise)."""
    return checkin_data(services.one_day(pairing=couple_or_404(), day=parse_day(day), now=utcnow()))


@blp.route("/checkins", methods=["GET"])
@blp.arguments(HistoryArgs, location="query")
@blp.response(200, HistorySchema)
def history(args):
    """Revealed check-ins, newest first."""
    before = parse_day(args["cursor"]) if "cursor" in args else None
    views, cursor = services.history(pairing=couple_or_404(), before=before, limit=args["limit"])
    return {
        "items": [checkin_data(v) for v in views],
        "next_cursor": cursor.isoformat() if cursor else None,
    }


@blp.route("/checkins/<day>/reactions/<key>", methods=["PUT"])
@blp.response(200, ReactionsSchema)
@accepts(blp, ReactionSchema)
def put_reaction(day: str, key: str):
    """React to my partner's answer to the question ``key``, once we have both answered
    (404 before, or when they left it empty); replaces my reaction there."""
    pairing, when = couple_or_404(), parse_day(day)
    kind = load(ReactionSchema)["kind"]
    return reactions.react(pairing=pairing, day=when, key=key, kind=kind, now=utcnow())


@blp.route("/checkins/<day>/reactions/<key>", methods=["DELETE"])
@blp.response(200, ReactionsSchema)
def delete_reaction(day: str, key: str):
    """Take back my reaction to my partner's answer to ``key``."""
    return reactions.unreact(pairing=couple_or_404(), day=parse_day(day), key=key, now=utcnow())
