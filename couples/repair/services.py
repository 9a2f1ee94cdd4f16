"""Repairs: opening one, each partner's steps through the state machine, pauses, the
follow-through, and the clock's part (a pause that ends, a gentle nudge, follow-up days).

Every action locks the repair row (``FOR UPDATE`` on PostgreSQL; SQLite's write
transaction begins with ``BEGIN IMMEDIATE``), asks ``machine`` whether it may happen,
records it as a step, and writes its notifications in the same transaction. So two
partners acting at the same moment are taken one after the other, never mixed."""

import re
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.orm import selectinload

from couples.accounts.models import User
from couples.clock import isoformat, local_date
from couples.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from couples.extensions import db
from couples.lovelanguages import services as love
from couples.notifications.models import Notification
from couples.notifications.services import deliver_soon, insert_rows, notification_row
from couples.pairing.models import Couple, CoupleMember
from couples.pairing.services import Pairing
from couples.repair import apology, content, machine, signpost
from couples.repair.machine import APOLOGIZING, HURT, SYSTEM
from couples.repair.models import Commitment, FollowUp, FollowUpAnswer, Repair, RepairStep
from couples.repair.schemas import STEP_SCHEMAS, CloseIn, FollowUpIn, OpenIn, PauseIn
from couples.validation import validate

NUDGE_AFTER = timedelta(hours=24)
FOLLOW_UP_GRACE = timedelta(days=3)   # then one answer is enough
SIGNPOST_WINDOW = timedelta(days=30)
PAGE = 30
PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")
PAGE_MAX = 100


class RepairConflict(Conflict):
    code, title = "repair-state", "Not at this step"


class RepairPaused(Conflict):
    code, title = "repair-paused", "This repair is paused"


class RepairEnded(Conflict):
    code, title = "repair-ended", "This repair has ended"


class NotYourTurn(Forbidden):
    code, title = "not-your-turn", "Not your turn yet"


def _domain_error(error: machine.RepairError) -> DomainError:
    if isinstance(error, machine.NotYourTurn):
        return NotYourTurn(str(error))
    if isinstance(error, machine.Finished):
        return RepairEnded(str(error))
    if isinstance(error, machine.Paused):
        return RepairPaused(str(error))
    if isinstance(error, machine.NeedsCommitment):
        return Invalid(errors={"commitments": [
            "Add at least one commitment: together you need one or more."]})
    if isinstance(error, machine.UnknownAction):
        return NotFound("There is no such step.")
    return RepairConflict(str(error))


# ---------------------------------------------------------------------------- reading

def role_of(repair: Repair, user_id: int) -> str:
    return APOLOGIZING if repair.apologizing_id == user_id else HURT


def user_of(repair: Repair, role: str) -> int | None:
    return repair.apologizing_id if role == APOLOGIZING else repair.hurt_id


def is_paused(repair: Repair, now: datetime) -> bool:
    return repair.paused_until is not None and repair.paused_until > now


def pause_is_over(repair: Repair, now: datetime) -> bool:
    """A pause whose return time has come (the clock resumes it, or the next action)."""
    return repair.paused_until is not None and repair.paused_until <= now


def snapshot(repair: Repair, now: datetime) -> machine.Snapshot:
    """The machine's view of ``repair`` (a pause whose time is up counts as over)."""
    parts = repair.plan_parts or {}
    return machine.Snapshot(
        state=repair.state, paused=is_paused(repair, now),
        ready=frozenset(repair.ready_roles or ()),
        plan_parts=frozenset(parts), committed=frozenset(r for r, n in parts.items() if n),
        choice_made=repair.state == "reconnect" and repair.reconnect_choice is not None,
        apology_rounds=repair.apology_rounds)


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


def _visible(pairing: Pairing):
    return Repair.couple_id == pairing.couple.id


def _everything(query):
    """Load what a repair's page shows in a fixed number of queries."""
    return query.options(
        selectinload(Repair.steps),
        selectinload(Repair.commitments).selectinload(Commitment.follow_ups)
        .selectinload(FollowUp.answers))


def find(*, pairing: Pairing, repair_id: str, lock: bool = False) -> Repair:
    """A repair of my couple by its public id, with its steps, commitments and
    follow-ups; 404 for anything else."""
    repair = None
    # The shape of a public id (PostgreSQL refuses a NUL in a query: that is no 500).
    if isinstance(repair_id, str) and PUBLIC_ID.fullmatch(repair_id):
        query = _everything(db.select(Repair).where(Repair.public_id == repair_id,
                                                    _visible(pairing)))
        if lock:
            query = query.execution_options(populate_existing=True)
            if db.session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update()
        repair = db.session.execute(query).scalar_one_or_none()
    if repair is None:
        raise NotFound("There is no such repair.")
    return repair


def listing(*, pairing: Pairing, before: str | None = None,
            limit: int = PAGE) -> tuple[list[Repair], str | None]:
    """My couple's repairs, newest first; ``before`` is the public id the previous page
    ended at."""
    limit = max(1, min(limit, PAGE_MAX))
    if before is not None and not (isinstance(before, str) and PUBLIC_ID.fullmatch(before)):
        raise Invalid(errors={"cursor": ["Not a valid cursor."]})
    query = (db.select(Repair).where(_visible(pairing)).order_by(Repair.id.desc())
             .limit(limit + 1).options(selectinload(Repair.commitments)
                                       .selectinload(Commitment.follow_ups)
                                       .selectinload(FollowUp.answers)))
    if before is not None:
        after = db.session.execute(db.select(Repair.id).where(
            Repair.public_id == before, _visible(pairing))).scalar_one_or_none()
        if after is None:
            raise Invalid(errors={"cursor": ["Not a valid cursor."]})
        query = query.where(Repair.id < after)
    repairs = list(db.session.execute(query).scalars())
    return repairs[:limit], (repairs[limit - 1].public_id if len(repairs) > limit else None)


def hidden_steps(repair: Repair, viewer_id: int) -> dict[int, dict]:
    """The partner's steps whose words ``viewer_id`` does not see yet, each with what
    shows instead: their plan part until I have sent mine, and their answer to a
    follow-up until I have answered it too (or it is complete), so neither sways the
    other."""
    sent_plan = any(s.action == "plan" and s.user_id == viewer_id for s in repair.steps)
    unanswered = {f.public_id for c in repair.commitments for f in c.follow_ups
                  if f.completed_at is None and all(a.user_id != viewer_id for a in f.answers)}
    hidden = {}
    for step in repair.steps:
        if step.user_id in (viewer_id, None):
            continue
        if step.action == "plan" and not sent_plan:  # closed early too; complete = both sent
            hidden[step.id] = {"sent": True}
        elif step.action == "follow_up" and step.payload.get("follow_up") in unanswered:
            hidden[step.id] = {"follow_up": step.payload.get("follow_up"), "answered": True}
    return hidden


def reconnect_suggestions(repair: Repair) -> list[dict]:
    """Ways to reconnect, drawn from the hurt partner's love languages (all five when
    they have no profile yet)."""
    profile = love.profiles([repair.hurt_id]).get(repair.hurt_id) if repair.hurt_id else None
    return content.reconnect_suggestions(profile.ranking if profile else None)


def opened_recently(*, couple_id: int, now: datetime) -> int:
    return db.session.execute(db.select(func.count(Repair.id)).where(
        Repair.couple_id == couple_id, Repair.created_at > now - SIGNPOST_WINDOW)).scalar_one()


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
    often (shown to whoever opened the third one in 30 days, and later ones), and
    emergency resources when their own words suggest danger. Never the partner's."""
    danger = [w for text in _own_words(repair, viewer_id) for w in signpost.danger_words(text)]
    therapy = repair.opened_by_id == viewer_id and signpost.should_signpost(
        db.session.execute(db.select(func.count(Repair.id)).where(
            Repair.couple_id == repair.couple_id,
            Repair.created_at > repair.created_at - SIGNPOST_WINDOW,
            Repair.id <= repair.id)).scalar_one())
    if not danger and not therapy:
        return None
    return {"therapy": bool(therapy or danger), "danger": bool(danger)}


# ----------------------------------------------------------------------------- writing

def _record(repair: Repair, *, user_id: int | None, role: str, action: str, before: str,
            payload: dict, now: datetime) -> RepairStep:
    step = RepairStep(repair_id=repair.id, user_id=user_id, role=role, action=action,
                      state_before=before, state_after=repair.state, payload=payload,
                      created_at=now)
    repair.steps.append(step)
    return step


def _users(pairing: Pairing) -> dict[int, User]:
    return {pairing.me.id: pairing.me, pairing.partner.id: pairing.partner}


def _reschedule(repair: Repair, now: datetime) -> None:
    """When the clock next has something to do for ``repair``."""
    if repair.state in machine.FINAL or repair.state == "following_through":
        repair.due_at = None
    elif is_paused(repair, now):
        repair.due_at = repair.paused_until
    elif repair.nudged_at is None or repair.nudged_at < repair.turn_since:
        repair.due_at = repair.turn_since + NUDGE_AFTER
    else:
        repair.due_at = None


def _turn_rows(repair: Repair, users: dict[int, User], *, actor_id: int | None,
               before: frozenset[str], before_state: str, step: RepairStep,
               now: datetime) -> list[dict]:
    """"Your turn" for each partner who now has a move they did not have before."""
    after = waiting_roles(repair, now)
    rows = []
    for role in after:
        user = users.get(user_of(repair, role))
        if user is None or user.id == actor_id:
            continue
        if role in before and repair.state == before_state:
            continue
        other = users.get(user_of(repair, machine.other(role)))
        name = other.display_name if other else "Your partner"
        title, body = _turn_words(repair.state, name)
        rows.append(notification_row(
            user=user, kind="repair_your_turn", dedupe_key=f"repair:{repair.id}:{step.id}",
            topic_key=f"repair-{repair.id}", title=title, body=body,
            url=f"/repairs/{repair.public_id}", now=now, data={"repair": repair.public_id}))
    return rows


def _turn_words(state: str, name: str) -> tuple[str, str]:
    if state == "ready":
        return f"{name} is ready when you are", "Open your repair when you have a calm moment."
    if state in ("hearing", "apology", "response", "plan"):
        return f"Your turn, with {name}", "They have added their part. Take your time."
    if state == "reconnect":
        return f"Time to reconnect with {name}", "One small, warm step together."
    return f"Your repair with {name}", "Something new is waiting for you."


def _commit(rows: list[dict]) -> None:
    insert_rows(rows)
    db.session.commit()
    if any(r["status"] == "pending" for r in rows):
        deliver_soon()


def open_repair(*, pairing: Pairing, title: str, role: str, now: datetime) -> Repair:
    """Open a repair about one incident; ``role`` is the opener's (apologizing or hurt).
    The partner hears that a repair was started, never its title."""
    body = validate(OpenIn, {"title": title, "role": role})
    me, partner = pairing.me, pairing.partner
    apologizing, hurt = (me, partner) if body["role"] == APOLOGIZING else (partner, me)
    repair = Repair(couple_id=pairing.couple.id, title=body["title"].strip(),
                    opened_by_id=me.id, apologizing_id=apologizing.id, hurt_id=hurt.id,
                    state="ready", ready_roles=[], plan_parts={}, apology_rounds=0,
                    created_at=now, turn_since=now)
    db.session.add(repair)
    db.session.flush()
    _record(repair, user_id=me.id, role=body["role"], action="open", before="ready",
            payload={"title": repair.title, "role": body["role"]}, now=now)
    _reschedule(repair, now)
    title_words = (f"{me.display_name} would like to make something right"
                   if body["role"] == APOLOGIZING
                   else f"{me.display_name} would like to repair something with you")
    rows = [notification_row(
        user=partner, kind="repair_started", dedupe_key=f"repair:{repair.id}:open",
        title=title_words, body="Open it together when you both have a calm moment.",
        url=f"/repairs/{repair.public_id}", now=now, data={"repair": repair.public_id})]
    _commit(rows)
    return repair


def _settle_pause(repair: Repair, users: dict[int, User], now: datetime) -> list[dict]:
    """A pause whose return time has come: resume it (the clock's step) and tell both."""
    if repair.paused_until is None or repair.paused_until > now:
        return []
    before = repair.state
    repair.paused_until = None
    repair.turn_since = now
    step = _record(repair, user_id=None, role=SYSTEM, action="resume", before=before,
                   payload={"reason": "time"}, now=now)
    db.session.flush()
    return _timeout_over_rows(repair, users, step, now, to=list(users.values()))


def _timeout_over_rows(repair: Repair, users: dict[int, User], step: RepairStep,
                       now: datetime, to: list[User]) -> list[dict]:
    rows = []
    for user in to:
        other = next((u for u in users.values() if u.id != user.id), None)
        name = other.display_name if other else "your partner"
        rows.append(notification_row(
            user=user, kind="repair_timeout_over", dedupe_key=f"repair:{repair.id}:{step.id}",
            title="Your pause is over" if user.id == repair.paused_by_id
            else "The pause is over", body=f"Come back to your repair with {name} "
            "when you feel ready.", url=f"/repairs/{repair.public_id}", now=now,
            data={"repair": repair.public_id}))
    return rows


def action_for(repair: Repair, step: str, me_id: int) -> str:
    """The machine action behind ``steps/{step}`` for me; 404 for an unknown step."""
    if step not in machine.STEP_STATES:
        raise NotFound("There is no such step.")
    if step == "reconnect":
        return "reconnect_choose" if role_of(repair, me_id) == APOLOGIZING else "reconnect_confirm"
    return step


def check_step(*, pairing: Pairing, repair: Repair, step: str, now: datetime) -> str:
    """The checks that come before the body is read: 409 when the repair is not at
    ``step`` (or paused, or ended), then 403 when it is not my turn. Returns the action."""
    action = action_for(repair, step, pairing.me.id)
    try:
        machine.check(snapshot(repair, now), action, role_of(repair, pairing.me.id))
    except machine.RepairError as error:
        raise _domain_error(error) from None
    return action


def act(*, pairing: Pairing, repair_id: str, step: str, body: dict,
        now: datetime) -> tuple[Repair, list[dict]]:
    """Take my step ``step`` with ``body``. Refusals come in the order 404, 409, 403,
    422, and change nothing. Returns the repair and, for an apology, the apology check's
    warnings (they never block it)."""
    repair = find(pairing=pairing, repair_id=repair_id, lock=True)
    users = _users(pairing)
    rows = _settle_pause(repair, users, now)
    action = check_step(pairing=pairing, repair=repair, step=step, now=now)
    data = validate(STEP_SCHEMAS[action], body)
    role = role_of(repair, pairing.me.id)
    before_state = repair.state
    before_roles = waiting_roles(repair, now)
    facts, payload, warnings = {}, {}, []
    if action == "hearing":
        payload = {**data, "i_feel": data["i_feel"].strip(), "when": data["when"].strip(),
                   "because": data["because"].strip(), "i_need": data["i_need"].strip(),
                   # The sentence says what they wrote after "I feel" (the picker's
                   # words are kept beside it, as ``feelings``).
                   "statement": content.i_statement(data["i_feel"].strip(),
                                                    data["when"].strip(),
                                                    data["because"].strip(),
                                                    data["i_need"].strip())}
    elif action == "apology":
        payload = {k: data[k].strip() for k in ("acknowledgement", "empathy", "restitution")}
        # The notes are the writer's drafting help: returned to them, never kept for the
        # partner to read as a grade.
        warnings = apology.as_dicts(apology.check(**payload, feelings=_feelings(repair)))
        payload["round"] = repair.apology_rounds + 1
    elif action == "response":
        facts = {"heard": data["heard"]}
        payload = {"heard": data["heard"], "missing": (data.get("missing") or "").strip() or None,
                   "forgive": data.get("forgive")}
    elif action == "plan":
        facts = {"commitments": len(data["commitments"])}
        payload = {"my_part": data["my_part"].strip(), "commitments": [
            {"text": c["text"].strip(), "owner": c["owner"],
             "follow_up_days": c["follow_up_days"]} for c in data["commitments"]]}
    elif action == "reconnect_choose":
        payload = {"choice": data["choice"].strip()}
    elif action == "reconnect_confirm":
        facts = {"confirmed": data["confirmed"]}
        payload = {"confirmed": data["confirmed"], "choice": repair.reconnect_choice}
    try:
        after = machine.apply(snapshot(repair, now), action, role, **facts)
    except machine.RepairError as error:
        db.session.rollback()
        raise _domain_error(error) from None
    if action == "ready" and role in (repair.ready_roles or []):
        _commit(rows)  # saying it again changes nothing (but a pause that ran out ends)
        return repair, []
    repair.state = after.state
    repair.ready_roles = sorted(after.ready)
    repair.apology_rounds = after.apology_rounds
    if action == "plan":
        repair.plan_parts = {**(repair.plan_parts or {}), role: facts["commitments"]}
    if action == "reconnect_choose":
        repair.reconnect_choice = payload["choice"]
    if action == "reconnect_confirm":
        if data["confirmed"]:
            repair.reconnect_confirmed = True
            repair.following_since = now
        else:
            repair.reconnect_choice = None
    step_row = _record(repair, user_id=pairing.me.id, role=role, action=action,
                       before=before_state, payload=payload, now=now)
    db.session.flush()
    if before_state == "plan" and repair.state == "reconnect":
        _make_commitments(repair, pairing, now)
    if repair.state != before_state or waiting_roles(repair, now) != before_roles:
        repair.turn_since = now
    _reschedule(repair, now)
    db.session.flush()
    rows += _turn_rows(repair, users, actor_id=pairing.me.id, before=before_roles,
                       before_state=before_state, step=step_row, now=now)
    _commit(rows)
    return repair, warnings


def _feelings(repair: Repair) -> list[str]:
    hearing = [s for s in repair.steps if s.action == "hearing"]
    return list(hearing[-1].payload.get("feelings", [])) if hearing else []


def _make_commitments(repair: Repair, pairing: Pairing, now: datetime) -> None:
    """The plan is complete: each partner's latest part becomes commitments, with
    follow-ups counted from now."""
    repair.plan_done_at = now
    latest: dict[int, RepairStep] = {}
    for step in repair.steps:
        if step.action == "plan" and step.user_id is not None:
            latest[step.user_id] = step
    for user_id, step in sorted(latest.items(), key=lambda item: item[1].id):
        partner_id = pairing.partner.id if user_id == pairing.me.id else pairing.me.id
        for item in step.payload["commitments"]:
            commitment = Commitment(
                repair_id=repair.id, written_by_id=user_id, text=item["text"],
                owner_id=user_id if item["owner"] == "me" else partner_id, created_at=now)
            commitment.follow_ups = [FollowUp(repair_id=repair.id, days=days,
                                              due_at=now + timedelta(days=days))
                                     for days in item["follow_up_days"]]
            repair.commitments.append(commitment)


def check_control(*, pairing: Pairing, repair: Repair, action: str, now: datetime) -> None:
    """409s of pause, resume and close (either partner may take them)."""
    try:
        machine.check(snapshot(repair, now), action, role_of(repair, pairing.me.id))
    except machine.RepairError as error:
        raise _domain_error(error) from None


def pause(*, pairing: Pairing, repair_id: str, body: dict, now: datetime) -> Repair:
    """A timeout: the repair keeps its state until the return time (20 minutes to 24
    hours), when both partners are told it is over. Either may resume earlier."""
    repair = find(pairing=pairing, repair_id=repair_id, lock=True)
    users = _users(pairing)
    rows = _settle_pause(repair, users, now)
    check_control(pairing=pairing, repair=repair, action="pause", now=now)
    data = validate(PauseIn, body)
    before = repair.state
    repair.paused_until = now + timedelta(minutes=data["minutes"])
    repair.paused_by_id = pairing.me.id
    _record(repair, user_id=pairing.me.id, role=role_of(repair, pairing.me.id), action="pause",
            before=before, payload={"minutes": data["minutes"],
                                    "until": isoformat(repair.paused_until)}, now=now)
    _reschedule(repair, now)
    _commit(rows)
    return repair


def resume(*, pairing: Pairing, repair_id: str, now: datetime) -> Repair:
    repair = find(pairing=pairing, repair_id=repair_id, lock=True)
    users = _users(pairing)
    rows = _settle_pause(repair, users, now)
    if rows:  # its time was up already: resumed by the clock just now
        _commit(rows)
        return repair
    check_control(pairing=pairing, repair=repair, action="resume", now=now)
    before = repair.state
    repair.paused_until = None
    repair.turn_since = now
    step = _record(repair, user_id=pairing.me.id, role=role_of(repair, pairing.me.id),
                   action="resume", before=before, payload={"reason": "early"}, now=now)
    _reschedule(repair, now)
    db.session.flush()
    # Coming back early is an ordinary message (it waits for the partner's quiet hours);
    # only the return time they were promised may come through at night.
    rows = [notification_row(
        user=pairing.partner, kind="repair_your_turn", dedupe_key=f"repair:{repair.id}:{step.id}",
        topic_key=f"repair-{repair.id}", title=f"{pairing.me.display_name} is back",
        body="Come back to your repair when you feel ready.",
        url=f"/repairs/{repair.public_id}", now=now, data={"repair": repair.public_id})]
    _commit(rows)
    return repair


def close(*, pairing: Pairing, repair_id: str, body: dict, now: datetime) -> Repair:
    """End a repair early, with an optional note. The partner finds it in their inbox."""
    repair = find(pairing=pairing, repair_id=repair_id, lock=True)
    check_control(pairing=pairing, repair=repair, action="close", now=now)
    data = validate(CloseIn, body)
    note = (data.get("note") or "").strip() or None
    before = repair.state
    repair.state = "closed"
    repair.paused_until = None
    repair.ended_at = now
    repair.closed_by_id = pairing.me.id
    repair.closing_note = note
    step = _record(repair, user_id=pairing.me.id, role=role_of(repair, pairing.me.id),
                   action="close", before=before, payload={"note": note}, now=now)
    _reschedule(repair, now)
    db.session.flush()
    rows = [notification_row(
        user=pairing.partner, kind="repair_closed", dedupe_key=f"repair:{repair.id}:{step.id}",
        title=f"{pairing.me.display_name} closed a repair",
        body="You can always open a new one.", url=f"/repairs/{repair.public_id}", now=now)]
    _commit(rows)
    return repair


def find_follow_up(repair: Repair, follow_up_id: str) -> FollowUp:
    for commitment in repair.commitments:
        for follow_up in commitment.follow_ups:
            if follow_up.public_id == follow_up_id:
                return follow_up
    raise NotFound("There is no such follow-up.")


def check_follow_up(*, pairing: Pairing, repair: Repair, follow_up: FollowUp,
                    now: datetime) -> None:
    """409 when the follow-up cannot be answered now (not yet its date, complete, the
    repair ended, or I answered it already)."""
    if repair.state in machine.FINAL:
        raise RepairEnded("This repair has ended.")
    if repair.state != "following_through":
        raise RepairConflict("Follow-ups start once the plan is made and you reconnected.")
    if follow_up.completed_at is not None:
        raise Conflict("This follow-up is complete.")
    if follow_up.due_at > now:
        raise Conflict("This follow-up opens on its date.")
    if any(a.user_id == pairing.me.id for a in follow_up.answers):
        raise Conflict("You answered this follow-up already.")


def answer_follow_up(*, pairing: Pairing, repair_id: str, follow_up_id: str, body: dict,
                     now: datetime) -> Repair:
    """"Did we follow through?": kept, partly or not, with a note. The repair is resolved
    once every follow-up is complete."""
    repair = find(pairing=pairing, repair_id=repair_id, lock=True)
    follow_up = find_follow_up(repair, follow_up_id)
    check_follow_up(pairing=pairing, repair=repair, follow_up=follow_up, now=now)
    data = validate(FollowUpIn, body)
    note = (data.get("note") or "").strip() or None
    follow_up.answers.append(FollowUpAnswer(user_id=pairing.me.id, outcome=data["outcome"],
                                            note=note, created_at=now))
    before_roles = waiting_roles(repair, now)
    if {a.user_id for a in follow_up.answers} >= {repair.apologizing_id, repair.hurt_id}:
        follow_up.completed_at = now
    step = _record(repair, user_id=pairing.me.id, role=role_of(repair, pairing.me.id),
                   action="follow_up", before=repair.state,
                   payload={"follow_up": follow_up.public_id, "outcome": data["outcome"],
                            "note": note}, now=now)
    _advance_follow_through(repair, role_of(repair, pairing.me.id), now)
    step.state_after = repair.state
    db.session.flush()
    rows = _turn_rows(repair, _users(pairing), actor_id=pairing.me.id, before=before_roles,
                      before_state="following_through", step=step, now=now)
    _commit(rows)
    return repair


def _open_follow_ups(repair: Repair) -> int:
    return sum(1 for c in repair.commitments for f in c.follow_ups if f.completed_at is None)


def _advance_follow_through(repair: Repair, role: str, now: datetime) -> None:
    after = machine.apply(snapshot(repair, now), "follow_up", role,
                          open_follow_ups=_open_follow_ups(repair))
    if after.state == "resolved":
        repair.state = "resolved"
        repair.ended_at = now
        _reschedule(repair, now)


# -------------------------------------------------------------------------------- clock

def tick(*, now: datetime, batch: int = 500) -> int:
    """The clock's part, for everything due at ``now``: pauses whose time is up (both
    are told), a nudge for a partner whose turn has waited 24 hours (one per turn, at
    most one a day each), follow-up reminders on their dates, and follow-ups that lapsed
    with one answer. Found by indexed instants; returns the notifications created.
    Running it twice creates nothing twice."""
    created = 0
    created += _due_repairs(now, batch)
    created += _due_follow_ups(now, batch)
    created += _lapsed_follow_ups(now, batch)
    return created


def _live(query):
    return query.join(Couple, Couple.id == Repair.couple_id).where(Couple.ended_at.is_(None))


def _lock_rows(query):
    if db.session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(of=Repair, skip_locked=True)
    return query


def _members(couple_ids: set[int]) -> dict[int, User]:
    if not couple_ids:
        return {}
    rows = db.session.execute(db.select(User).join(
        CoupleMember, (CoupleMember.user_id == User.id) & CoupleMember.left_at.is_(None))
        .where(CoupleMember.couple_id.in_(couple_ids))).scalars()
    return {u.id: u for u in rows}


def _due_repairs(now: datetime, batch: int) -> int:
    repairs = list(db.session.execute(_lock_rows(_live(
        db.select(Repair).where(Repair.due_at <= now).order_by(Repair.due_at).limit(batch))))
        .scalars())
    users = _members({r.couple_id for r in repairs})
    nudged = _nudged_today(list(users.values()), now)
    rows: list[dict] = []
    for repair in repairs:
        pair = {k: v for k, v in users.items() if k in (repair.apologizing_id, repair.hurt_id)}
        if repair.paused_until is not None:
            rows += _settle_pause(repair, pair, now)
        elif repair.state not in machine.FINAL and repair.due_at <= now:
            nudges = _nudge_rows(repair, pair, now, already=nudged)
            if nudges:
                rows += nudges
                nudged |= {row["user_id"] for row in nudges}
                repair.nudged_at = now
            elif any(user_of(repair, r) in nudged for r in waiting_roles(repair, now)):
                # They had one today for another repair: this one comes a day later.
                repair.due_at = now + NUDGE_AFTER
                continue
            else:
                repair.nudged_at = now
        _reschedule(repair, now)
    created = insert_rows(rows)
    db.session.commit()
    return created


def _nudge_key(user: User, now: datetime) -> str:
    return f"repair-nudge:{local_date(now, user.timezone).isoformat()}"


def _nudged_today(users: list[User], now: datetime) -> set[int]:
    """Who had a repair nudge on their own local date already (at most one a day)."""
    if not users:
        return set()
    keys = {u.id: _nudge_key(u, now) for u in users}
    found = db.session.execute(db.select(Notification.user_id, Notification.dedupe_key).where(
        Notification.user_id.in_(keys), Notification.kind == "repair_your_turn",
        Notification.dedupe_key.in_(set(keys.values())))).all()
    return {user_id for user_id, key in found if keys[user_id] == key}


def _nudge_rows(repair: Repair, users: dict[int, User], now: datetime,
                already: set[int]) -> list[dict]:
    rows = []
    for role in waiting_roles(repair, now):
        user = users.get(user_of(repair, role))
        other = users.get(user_of(repair, machine.other(role)))
        if user is None or other is None or user.id in already:
            continue
        rows.append(notification_row(
            user=user, kind="repair_your_turn", dedupe_key=_nudge_key(user, now),
            topic_key=f"repair-{repair.id}", title=f"Your repair with {other.display_name}",
            body="It will keep. When you have a calm moment, your part is waiting.",
            url=f"/repairs/{repair.public_id}", now=now, data={"repair": repair.public_id}))
    return rows


def _due_follow_ups(now: datetime, batch: int) -> int:
    query = (db.select(FollowUp, Repair).join(Repair, Repair.id == FollowUp.repair_id)
             .where(FollowUp.completed_at.is_(None), FollowUp.notified_at.is_(None),
                    FollowUp.due_at <= now, Repair.state == "following_through")
             .order_by(FollowUp.due_at).limit(batch))
    found = db.session.execute(_lock_rows(_live(query))).all()
    users = _members({repair.couple_id for _, repair in found})
    rows, seen = [], set()
    for follow_up, repair in found:
        follow_up.notified_at = now
        # One reminder per repair and date, however many commitments fall due on it (the
        # follow-ups of one plan with the same days share their date).
        key = f"follow-up:{repair.id}:{follow_up.days}"
        for user_id, other_id in ((repair.apologizing_id, repair.hurt_id),
                                  (repair.hurt_id, repair.apologizing_id)):
            user, other = users.get(user_id), users.get(other_id)
            if user is None or other is None or (user_id, key) in seen:
                continue
            seen.add((user_id, key))
            rows.append(notification_row(
                user=user, kind="repair_follow_up", dedupe_key=key, topic_key=key,
                title=f"A follow-up with {other.display_name}",
                body="How has it gone since your repair? A minute together.",
                url=f"/repairs/{repair.public_id}", now=now, data={"repair": repair.public_id}))
    created = insert_rows(rows)
    db.session.commit()
    return created


def _lapsed_follow_ups(now: datetime, batch: int) -> int:
    query = (db.select(FollowUp, Repair).join(Repair, Repair.id == FollowUp.repair_id)
             .where(FollowUp.completed_at.is_(None), FollowUp.due_at <= now - FOLLOW_UP_GRACE,
                    Repair.following_since <= now - FOLLOW_UP_GRACE,
                    Repair.state == "following_through",
                    # one nobody answered keeps: it must not fill every batch for ever
                    db.exists().where(FollowUpAnswer.follow_up_id == FollowUp.id))
             .order_by(FollowUp.due_at).limit(batch))
    found = db.session.execute(_lock_rows(_live(query))).all()
    for follow_up, repair in found:
        if not follow_up.answers:
            continue  # it keeps until someone answers
        follow_up.completed_at = now
        before = repair.state
        step = _record(repair, user_id=None, role=SYSTEM, action="follow_up", before=before,
                       payload={"follow_up": follow_up.public_id, "lapsed": True}, now=now)
        _advance_follow_through(repair, SYSTEM, now)
        step.state_after = repair.state
    db.session.commit()
    return 0


# ------------------------------------------------------------------------------- export

def export(user: User) -> dict:
    """What I wrote in repairs: my steps (with the title of the repairs I opened) and my
    follow-up answers."""
    steps = db.session.execute(
        db.select(RepairStep, Repair.public_id, Repair.title, Repair.opened_by_id)
        .join(Repair).where(RepairStep.user_id == user.id).order_by(RepairStep.id)).all()
    answers = db.session.execute(db.select(FollowUpAnswer).where(
        FollowUpAnswer.user_id == user.id).order_by(FollowUpAnswer.id)).scalars()
    return {"repair_steps": [{"repair": public_id,
                              "title": title if opened_by == user.id else None,
                              "action": step.action, "role": step.role,
                              "at": isoformat(step.created_at), "written": step.payload}
                             for step, public_id, title, opened_by in steps],
            "follow_up_answers": [{"outcome": a.outcome, "note": a.note,
                                   "at": isoformat(a.created_at)} for a in answers]}


def before_account_deleted(user: User, now: datetime) -> None:
    """A deleted account takes its words with it: its steps and answers go by cascade;
    the texts it wrote that live on the shared repair (a title, a closing note, a
    reconnect choice, its commitments) are cleared. What the partner wrote stays."""
    db.session.execute(db.update(Repair).where(Repair.opened_by_id == user.id)
                       .values(title=""))
    db.session.execute(db.update(Repair).where(Repair.closed_by_id == user.id)
                       .values(closing_note=None))
    db.session.execute(db.update(Repair).where(Repair.apologizing_id == user.id,
                                               Repair.reconnect_choice.is_not(None))
                       .values(reconnect_choice=None))
    db.session.execute(db.update(Commitment).where(Commitment.written_by_id == user.id)
                       .values(text=""))


