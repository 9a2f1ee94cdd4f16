"""Grow: my reflection journal. Mine alone: a partner gets 404 for every entry, and no
count of entries or their words reaches anyone else."""

import marshmallow as ma
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from couples.api.common import accepts, load
from couples.clock import local_date, utcnow
from couples.errors import NotFound
from couples.grow import services
from couples.grow.schemas import (
    EntryChangeSchema,
    EntryInSchema,
    GoalInSchema,
    SelfCheckInSchema,
    ShareInSchema,
    TriedInSchema,
)
from couples.grow.selfcheck import LEANS, PARTNER_WORDS
from couples.i18n import N_, translated
from couples.validation import Length, Range
from couples.web import couple_or_404

blp = Blueprint("api_grow", __name__, url_prefix="/api/v1", description="Grow: my journal")


def entry_data(entry) -> dict:
    """An entry, its prompt in the reader's words."""
    data = services.entry_data(entry)
    return {**data, "prompt": translated(data["prompt"])}


def check_data(check) -> dict:
    """A self-check, where I lean said in the reader's words."""
    data = services.check_data(check)
    return {**data, "title": translated(data["title"]), "words": translated(data["words"])}


class EntrySchema(ma.Schema):
    id = ma.fields.String(required=True)
    prompt = ma.fields.String(allow_none=True, required=True)
    prompt_key = ma.fields.String(allow_none=True, required=True)
    memory = ma.fields.Boolean(required=True)
    text = ma.fields.String(required=True)
    written_at = ma.fields.String(required=True)
    changed_at = ma.fields.String(allow_none=True, required=True)


class EntryListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(EntrySchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


class JournalArgs(ma.Schema):
    """A page of my entries, those containing ``q`` when given."""

    class Meta:
        unknown = ma.EXCLUDE

    q = ma.fields.String(validate=Length(max=200), load_default="")
    cursor = ma.fields.String(
        validate=ma.validate.Regexp(r"^[A-Za-z0-9_-]{1,16}$", error=N_("Not a valid cursor."))
    )
    limit = ma.fields.Integer(load_default=20, validate=Range(min=1, max=100))


class PromptSchema(ma.Schema):
    key = ma.fields.String(required=True)
    text = ma.fields.String(required=True)
    memory = ma.fields.Boolean(required=True)
    date = ma.fields.String(required=True, metadata={"description": "My local date"})


@blp.route("/me/journal-prompt", methods=["GET"])
@blp.response(200, PromptSchema)
def prompt():
    """Today's prompt for me (by my own timezone); no prompt comes back within 60 days."""
    now = utcnow()
    found = services.todays_prompt(user=current_user, now=now)
    return {
        "key": found.key,
        "text": translated(found.text),
        "memory": found.memory,
        "date": local_date(now, current_user.timezone).isoformat(),
    }


@blp.route("/me/journal", methods=["GET"])
@blp.arguments(JournalArgs, location="query")
@blp.response(200, EntryListSchema)
def listing(args):
    """My entries, newest first; with ``q``, those whose words contain it (any case)."""
    entries, cursor = services.listing(
        user=current_user, query=args["q"], before=args.get("cursor"), limit=args["limit"]
    )
    return {"items": [entry_data(e) for e in entries], "next_cursor": cursor}


@blp.route("/me/journal", methods=["POST"])
@blp.response(201, EntrySchema)
@accepts(blp, EntryInSchema)
def write():
    """A new entry, for me alone. ``memory`` defaults to what the prompt is about."""
    body = load(EntryInSchema)
    entry = services.write(
        user=current_user,
        text=body["text"].strip(),
        prompt_key=body.get("prompt_key"),
        memory=body.get("memory"),
        now=utcnow(),
    )
    return entry_data(entry)


@blp.route("/me/journal/<entry_id>", methods=["GET"])
@blp.response(200, EntrySchema)
def one(entry_id: str):
    """One of my entries (404 for anyone else's)."""
    return entry_data(services.find(user=current_user, entry_id=entry_id))


@blp.route("/me/journal/<entry_id>", methods=["PATCH"])
@blp.response(200, EntrySchema)
@accepts(blp, EntryChangeSchema)
def change(entry_id: str):
    """Change my entry's words or whether it is a good memory."""
    services.find(user=current_user, entry_id=entry_id)  # 404 comes before a refused body
    body = load(EntryChangeSchema, partial=True)
    entry = services.change(
        user=current_user,
        entry_id=entry_id,
        text=body["text"].strip() if "text" in body else None,
        memory=body.get("memory"),
        now=utcnow(),
    )
    return entry_data(entry)


@blp.route("/me/journal/<entry_id>", methods=["DELETE"])
@blp.response(204)
def remove(entry_id: str):
    """Remove my entry for good."""
    services.remove(user=current_user, entry_id=entry_id)


# ---------------------------------------------------------------------- the self-check


class CheckSchema(ma.Schema):
    lean = ma.fields.String(required=True, metadata={"description": " | ".join(LEANS)})
    title = ma.fields.String(required=True)
    words = ma.fields.String(required=True)
    answers = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    shared = ma.fields.Boolean(required=True)
    taken_at = ma.fields.String(required=True)


class PracticeSchema(ma.Schema):
    key = ma.fields.String(required=True)
    text = ma.fields.String(required=True)


class SelfCheckStateSchema(ma.Schema):
    check = ma.fields.Nested(CheckSchema, allow_none=True, required=True)
    week = ma.fields.String(required=True, metadata={"description": "This week's Monday"})
    practice = ma.fields.Nested(PracticeSchema, allow_none=True, required=True)
    tried = ma.fields.String(
        allow_none=True, required=True, metadata={"description": "yes | partly | not_yet"}
    )


class PartnerLeanSchema(ma.Schema):
    lean = ma.fields.String(required=True)
    words = ma.fields.String(required=True)


def _state() -> dict:
    now = utcnow()
    check = services.latest_check(current_user.id)
    week, practice, tried = services.this_week(user=current_user, check=check, now=now)
    return {
        "check": check_data(check) if check else None,
        "week": week.isoformat(),
        "practice": {"key": practice.key, "text": translated(practice.text)} if practice else None,
        "tried": tried,
    }


@blp.route("/me/self-check", methods=["GET"])
@blp.response(200, SelfCheckStateSchema)
def self_check():
    """My newest self-check (none yet: null), this week's practice and whether I tried it.
    A reflection, not a clinical test; mine alone unless I share where I lean."""
    return _state()


@blp.route("/me/self-check", methods=["POST"])
@blp.response(201, SelfCheckStateSchema)
@accepts(blp, SelfCheckInSchema)
def take_self_check():
    """Take the self-check (again): every statement, 1 (not like me) to 5 (very like me)."""
    body = load(SelfCheckInSchema)
    services.take_check(user=current_user, answers=body["answers"], now=utcnow())
    return _state()


@blp.route("/me/self-check/shared", methods=["PUT"])
@blp.response(200, SelfCheckStateSchema)
@accepts(blp, ShareInSchema)
def share_self_check():
    """Share where I lean with my partner, or stop (404 before a first self-check)."""
    body = load(ShareInSchema)
    services.share_check(user=current_user, shared=body["shared"])
    return _state()


@blp.route("/me/practice", methods=["PUT"])
@blp.response(200, SelfCheckStateSchema)
@accepts(blp, TriedInSchema)
def practice_tried():
    """Did I try this week's practice? yes, partly or not yet (404 before a self-check)."""
    body = load(TriedInSchema)
    services.mark_tried(user=current_user, tried=body["tried"], now=utcnow())
    return _state()


@blp.route("/couple/self-check", methods=["GET"])
@blp.response(200, PartnerLeanSchema)
def partner_self_check():
    """Where my partner leans, when they chose to share it; 404 otherwise (their answers
    are never shared)."""
    pairing = couple_or_404()
    lean = services.shared_lean(pairing.partner.id)
    if lean is None:
        raise NotFound(_("Nothing has been shared here."))
    return {
        "lean": lean,
        "words": translated(PARTNER_WORDS[lean]).format(name=pairing.partner.display_name),
    }


# ------------------------------------------------------------------ my goal this month


class GoalSchema(ma.Schema):
    month = ma.fields.String(required=True, metadata={"description": "YYYY-MM, my calendar"})
    goal = ma.fields.String(required=True)
    support = ma.fields.String(allow_none=True, required=True)
    shared = ma.fields.Boolean(required=True)


@blp.route("/me/goal", methods=["GET"])
@blp.response(200, GoalSchema)
def my_goal():
    """My goal for this month (404 when none is set)."""
    row = services.goal_of(current_user, utcnow())
    if row is None:
        raise NotFound(_("No goal is set for this month."))
    return services.goal_data(row)


@blp.route("/me/goal", methods=["PUT"])
@blp.response(200, GoalSchema)
@accepts(blp, GoalInSchema)
def set_my_goal():
    """Set or change my goal for this month, how my partner can back me, and whether my
    partner sees it (not unless ``shared``)."""
    body = load(GoalInSchema)
    support = (body.get("support") or "").strip() or None
    row = services.set_goal(
        user=current_user,
        goal=body["goal"].strip(),
        support=support,
        shared=body["shared"],
        now=utcnow(),
    )
    return services.goal_data(row)


@blp.route("/couple/goal", methods=["GET"])
@blp.response(200, GoalSchema)
def partner_goal():
    """My partner's goal for their month, when they shared it; 404 otherwise."""
    pairing = couple_or_404()
    row = services.shared_goal(pairing.partner, utcnow())
    if row is None:
        raise NotFound(_("Nothing has been shared here."))
    return services.goal_data(row)
