"""Reading repairs: who is who in one and whose move it is, finding one of my couple's
and the list, and what each partner sees of it (the partner's words held back until
their own are in, signposts, ways to reconnect)."""

import re
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, inspect
from sqlalchemy.orm import selectinload

from couples.db import begin_write
from couples.errors import Invalid, NotFound
from couples.extensions import db
from couples.lovelanguages import services as love
from couples.pagination import keyset_page
from couples.pairing.services import Pairing
from couples.repair import content, machine, signpost
from couples.repair.machine import APOLOGIZING, HURT
from couples.repair.models import Commitment, FollowUp, Repair

SIGNPOST_WINDOW = timedelta(days=30)
PAGE = 30
PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")
PAGE_MAX = 100


def role_of(repair: Repair, user_id: int) -> str:
    return APOLOGIZING if repair.apologizing_id == user_id else HURT


def user_of(repair: Repair, role: str) -> int | None:
    return repair.apologizing_id if role == APOLOGIZING else repair.hurt_id


def is_paused(repair: Repair, now: datetime) -> bool:
    return repair.paused_until is not None and repair.paused_until > now


def pause_is_over(repair: Repair, now: datetime) -> bool:
    """A pause whose return time has come (the clock resumes it, or the next action)."""
    return repair.paused_until is not None and repair.paused_until <= now


def proposed_role(repair: Repair) -> str:
    """The role the opener chose when opening the repair."""
    for step in repair.steps:
        if step.action == "open":
            return step.payload.get("role", APOLOGIZING)
    return role_of(repair, repair.opened_by_id)


def roles_settled(repair: Repair) -> bool:
    """Both have said how they see it, and the views fit (or the repair is from before
    partners were asked)."""
    if repair.opener_view is None:
        return True
    # Whether they settle does not hang on the opener's first choice (only who is who).
    return machine.settle_roles(repair.opener_view, repair.partner_view, APOLOGIZING) is not None


def views_unsaid_for(repair: Repair, viewer_id: int) -> bool:
    """Whether ``viewer_id`` is the partner who has not yet said how they see it: they
    are told no role, not even the one the opener took."""
    return (
        repair.opener_view is not None
        and repair.partner_view is None
        and viewer_id != repair.opened_by_id
    )


def my_role(repair: Repair, viewer_id: int) -> str | None:
    """My role, or ``None`` while it is not settled for me to be told."""
    if viewer_id != repair.opened_by_id and not roles_settled(repair):
        return None
    return role_of(repair, viewer_id)


def snapshot(repair: Repair, now: datetime) -> machine.Snapshot:
    """The machine's view of ``repair`` (a pause whose time is up counts as over)."""
    parts = repair.plan_parts or {}
    settled = roles_settled(repair)
    return machine.Snapshot(
        roles_settled=settled,
        views_differ=not settled and repair.partner_view is not None,
        state=repair.state,
        paused=is_paused(repair, now),
        ready=frozenset(repair.ready_roles or ()),
        plan_parts=frozenset(parts),
        committed=frozenset(r for r, n in parts.items() if n),
        choice_made=repair.state == "reconnect" and repair.reconnect_choice is not None,
        reflected=repair.state == "reflect" and repair.reflection is not None,
        apology_rounds=repair.apology_rounds,
    )


def waiting_roles(repair: Repair, now: datetime) -> frozenset[str]:
    """Whose move it is. In the follow-through: whoever has a follow-up open today."""
    roles = machine.next_actors(snapshot(repair, now))
    if repair.state != "following_through":
        return roles
    out = set()
    for commitment in repair.commitments:
        for follow_up in commitment.follow_ups:
            if follow_up.completed_at is None and follow_up.due_at <= now:
                answered = {a.user_id for a in follow_up.answers}
                out |= {r for r in roles if user_of(repair, r) not in answered}
    return frozenset(out)


def next_actor(repair: Repair, me_id: int, now: datetime) -> str | None:
    """``me``, ``partner``, ``both`` or None, from ``me_id``'s side."""
    roles = waiting_roles(repair, now)
    mine = role_of(repair, me_id)
    if len(roles) == 2:
        return "both"
    if not roles:
        return None
    return "me" if mine in roles else "partner"


# Steps that carry words for the partner to read.
WORD_STEPS = frozenset(
    {
        "hearing",
        "reflect",
        "reflect_confirm",
        "apology",
        "response",
        "plan",
        "reconnect_choose",
        "reconnect_confirm",
    }
)


def latest_step_id(repair: Repair) -> int:
    return max((step.id for step in repair.steps), default=0)


def seen_column(repair: Repair, user_id: int) -> str:
    """Where what ``user_id`` has seen of ``repair`` is kept."""
    return "seen_by_opener" if user_id == repair.opened_by_id else "seen_by_partner"


def seen_by(repair: Repair, user_id: int | None, step) -> bool:
    """Whether ``user_id`` has opened the repair since ``step`` was taken (a revised
    apology, or a "not yet", is unread until they open it again)."""
    if step is None or user_id is None:
        return False
    return (getattr(repair, seen_column(repair, user_id)) or 0) >= step.id


def my_latest_words(repair: Repair, me_id: int, actions=WORD_STEPS):
    """My latest step among ``actions`` that carries words, or None."""
    for step in reversed(repair.steps):
        if step.user_id == me_id and step.action in actions:
            return step
    return None


def _visible(pairing: Pairing):
    return Repair.couple_id == pairing.couple.id


def _everything(query):
    """Load what a repair's page shows in a fixed number of queries."""
    return query.options(
        selectinload(Repair.steps),
        selectinload(Repair.commitments)
        .selectinload(Commitment.follow_ups)
        .selectinload(FollowUp.answers),
        selectinload(Repair.questions),
        selectinload(Repair.trust_checks),
    )


def find(*, pairing: Pairing, repair_id: str, lock: bool = False) -> Repair:
    """A repair of my couple by its public id, with its steps, commitments and
    follow-ups; 404 for anything else. ``lock``: for a command about to change it, which
    begins its write here (``begin_write``) and holds the row until it commits."""
    if lock:
        begin_write(db.session)
    repair = None
    # The shape of a public id (PostgreSQL refuses a NUL in a query: that is no 500).
    if isinstance(repair_id, str) and PUBLIC_ID.fullmatch(repair_id):
        query = _everything(
            db.select(Repair).where(Repair.public_id == repair_id, _visible(pairing))
        )
        if lock:
            query = query.execution_options(populate_existing=True)
            if db.session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update()
        repair = db.session.execute(query).scalar_one_or_none()
    if repair is None:
        raise NotFound(_("There is no such repair."))
    return repair


def as_it_stands(repair: Repair) -> Repair:
    """``repair`` after a command refused it: as this transaction holds it, or read again
    (with all that ``find`` loads) when the refusal rolled the transaction back."""
    state = inspect(repair)
    if not state.expired:
        return repair
    return db.session.execute(
        _everything(db.select(Repair).where(Repair.id == state.identity[0]))
    ).scalar_one()


def find_follow_up(repair: Repair, follow_up_id: str) -> FollowUp:
    for commitment in repair.commitments:
        for follow_up in commitment.follow_ups:
            if follow_up.public_id == follow_up_id:
                return follow_up
    raise NotFound(_("There is no such follow-up."))


def listing(
    *, pairing: Pairing, before: str | None = None, limit: int = PAGE
) -> tuple[list[Repair], str | None]:
    """My couple's repairs, newest first; ``before`` is the public id the previous page
    ended at."""
    after = None
    if before is not None:
        if isinstance(before, str) and PUBLIC_ID.fullmatch(before):
            after = db.session.execute(
                db.select(Repair.id).where(Repair.public_id == before, _visible(pairing))
            ).scalar_one_or_none()
        if after is None:
            raise Invalid(errors={"cursor": [_("Not a valid cursor.")]})
    repairs, more = keyset_page(
        db.select(Repair)
        .where(_visible(pairing))
        .options(
            selectinload(Repair.commitments)
            .selectinload(Commitment.follow_ups)
            .selectinload(FollowUp.answers)
        ),
        Repair.id,
        before=after,
        limit=limit,
        most=PAGE_MAX,
    )
    return repairs, (repairs[-1].public_id if more else None)


def hidden_steps(repair: Repair, viewer_id: int) -> dict[int, dict]:
    """The partner's steps whose words ``viewer_id`` does not see yet, each with what
    shows instead: how the opener sees their part, until I have said how I see mine;
    their plan part until I have sent mine, and their answer to a
    follow-up until I have answered it too (or it is complete), so neither sways the
    other."""
    sent_plan = any(s.action == "plan" and s.user_id == viewer_id for s in repair.steps)
    unanswered = {
        f.public_id
        for c in repair.commitments
        for f in c.follow_ups
        if f.completed_at is None and all(a.user_id != viewer_id for a in f.answers)
    }
    unsaid = views_unsaid_for(repair, viewer_id)
    hidden = {}
    for step in repair.steps:
        if step.user_id in (viewer_id, None):
            continue
        if unsaid and step.action in ("open", "ready"):
            # The opener's view waits until I have said mine.
            hidden[step.id] = {k: v for k, v in step.payload.items() if k not in ("role", "view")}
        elif step.action == "plan" and not sent_plan:  # closed early too; complete = both sent
            hidden[step.id] = {"sent": True}
        elif step.action == "follow_up" and step.payload.get("follow_up") in unanswered:
            hidden[step.id] = {"follow_up": step.payload.get("follow_up"), "answered": True}
    return hidden


def declined_reconnect(repair: Repair):
    """The hurt partner's "something else, please" that the apologizing partner now
    answers with a new choice, or None (no choice is open again, or none was declined)."""
    if repair.state != "reconnect" or repair.reconnect_choice is not None:
        return None
    for step in reversed(repair.steps):
        if step.action == "reconnect_confirm":
            return step if not step.payload.get("confirmed") else None
        if step.action == "reconnect_choose":
            return None
    return None


def reconnect_instead(repair: Repair) -> str | None:
    """What the hurt partner said they would like instead, while it is to be answered."""
    step = declined_reconnect(repair)
    return step.payload.get("instead") if step else None


def reconnect_suggestions(repair: Repair) -> list[dict]:
    """Ways to reconnect, drawn from the hurt partner's love languages (all five when
    they have no profile yet)."""
    profile = love.profiles([repair.hurt_id]).get(repair.hurt_id) if repair.hurt_id else None
    return content.reconnect_suggestions(profile.ranking if profile else None)


def _own_words(repair: Repair, user_id: int) -> list[str]:
    words = [repair.title] if repair.opened_by_id == user_id else []
    for step in repair.steps:
        if step.user_id == user_id:
            words += [v for v in _texts(step.payload)]
    for commitment in repair.commitments:
        for follow_up in commitment.follow_ups:
            words += [a.note for a in follow_up.answers if a.user_id == user_id and a.note]
    if repair.closed_by_id == user_id and repair.closing_note:
        words.append(repair.closing_note)
    return words


def _texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def signposts(*, repair: Repair, viewer_id: int, now: datetime) -> dict | None:
    """What only ``viewer_id`` sees: guidance on seeking a therapist when repairs come
    often (shown to whoever opened the third one in 30 days, and later ones) and, for a
    repair of broken trust, to both from the start; and emergency resources when their
    own words suggest danger. Never the partner's."""
    danger = [w for text in _own_words(repair, viewer_id) for w in signpost.danger_words(text)]
    therapy = repair.kind == "trust" or (
        repair.opened_by_id == viewer_id
        and signpost.should_signpost(
            db.session.execute(
                db.select(func.count(Repair.id)).where(
                    Repair.couple_id == repair.couple_id,
                    Repair.created_at > repair.created_at - SIGNPOST_WINDOW,
                    Repair.id <= repair.id,
                )
            ).scalar_one()
        )
    )
    if not danger and not therapy:
        return None
    return {"therapy": bool(therapy or danger), "danger": bool(danger)}
