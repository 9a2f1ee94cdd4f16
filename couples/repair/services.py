"""Repairs: opening one, each partner's steps through the state machine, pauses,
closing, the follow-through; and what an account's export and its deletion take from
them.

Every command is given the repair its caller found with ``queries.find(..., lock=True)``,
which locks the row (``FOR UPDATE`` on PostgreSQL; SQLite's write transaction begins with
``BEGIN IMMEDIATE``); it asks ``machine`` whether the action may happen, records it as a
step, and writes its notifications in the same transaction. So two partners acting at
the same moment are taken one after the other, never mixed. After the commit the repair
stays as written, so the caller shows it without reading it again."""

from datetime import datetime, timedelta

from flask_babel import gettext as _

from couples.accounts.models import User
from couples.clock import isoformat
from couples.db import begin_write
from couples.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from couples.extensions import db
from couples.i18n import N_, current_language, writing_to
from couples.notifications.services import deliver_soon, insert_rows, notification_row
from couples.pairing.services import Pairing
from couples.repair import apology, content, machine
from couples.repair.clock import advance_follow_through, record, reschedule, settle_pause
from couples.repair.machine import APOLOGIZING
from couples.repair.models import Commitment, FollowUp, FollowUpAnswer, Repair, RepairStep
from couples.repair.queries import (
    find_follow_up,
    latest_step_id,
    proposed_role,
    role_of,
    roles_settled,
    seen_column,
    snapshot,
    user_of,
    waiting_roles,
)
from couples.repair.schemas import STEP_SCHEMAS, CloseIn, FollowUpIn, OpenIn, PauseIn
from couples.safetycheck import SEND_ANYWAY, before_sending
from couples.validation import validate


class RepairConflict(Conflict):
    code, title = "repair-state", N_("Not at this step")


class RepairPaused(Conflict):
    code, title = "repair-paused", N_("This repair is paused")


class RepairEnded(Conflict):
    code, title = "repair-ended", N_("This repair has ended")


class NotYourTurn(Forbidden):
    code, title = "not-your-turn", N_("Not your turn yet")


def _domain_error(error: machine.RepairError) -> DomainError:
    if isinstance(error, machine.NotYourTurn):
        return NotYourTurn(str(error))
    if isinstance(error, machine.Finished):
        return RepairEnded(str(error))
    if isinstance(error, machine.Paused):
        return RepairPaused(str(error))
    if isinstance(error, machine.NeedsCommitment):
        return Invalid(
            errors={
                "commitments": [_("Add at least one commitment: together you need one or more.")]
            }
        )
    if isinstance(error, machine.UnknownAction):
        return NotFound(_("There is no such step."))
    return RepairConflict(str(error))


def _users(pairing: Pairing) -> dict[int, User]:
    return {pairing.me.id: pairing.me, pairing.partner.id: pairing.partner}


def _turn_rows(
    repair: Repair,
    users: dict[int, User],
    *,
    actor_id: int | None,
    before: frozenset[str],
    before_state: str,
    step: RepairStep,
    now: datetime,
) -> list[dict]:
    """ "Your turn" for each partner who now has a move they did not have before, in
    their language."""
    after = waiting_roles(repair, now)
    rows = []
    for role in after:
        user = users.get(user_of(repair, role))
        if user is None or user.id == actor_id:
            continue
        if role in before and repair.state == before_state:
            continue
        other = users.get(user_of(repair, machine.other(role)))
        differ = repair.partner_view is not None and not roles_settled(repair)
        with writing_to(user):
            name = other.display_name if other else _("your partner")
            title, body = _turn_words(repair.state, name, differ=differ)
        if other is None:
            title = title[:1].upper() + title[1:]  # "your partner" may begin it
        rows.append(
            notification_row(
                user=user,
                kind="repair_your_turn",
                dedupe_key=f"repair:{repair.id}:{step.id}",
                topic_key=f"repair-{repair.id}",
                title=title,
                body=body,
                url=f"/repairs/{repair.public_id}",
                now=now,
                data={"repair": repair.public_id},
            )
        )
    return rows


def _turn_words(state: str, name: str, *, differ: bool = False) -> tuple[str, str]:
    """The title and body of "your turn" at ``state`` (``name``: the partner), in the
    current language: call it ``with writing_to(recipient):``."""
    if state == "ready" and differ:
        return (
            _("%(name)s sees it a little differently", name=name),
            _("Open your repair to settle, gently, who goes first."),
        )
    if state == "ready":
        return (
            _("%(name)s is ready when you are", name=name),
            _("Open your repair when you have a calm moment."),
        )
    if state in ("hearing", "reflect", "apology", "response", "plan"):
        return (
            _("Your turn, with %(name)s", name=name),
            _("They have added their part. Take your time."),
        )
    if state == "reconnect":
        return (
            _("Time to reconnect with %(name)s", name=name),
            _("One small, warm step together."),
        )
    return (
        _("Your repair with %(name)s", name=name),
        _("Something new is waiting for you."),
    )


def _commit(rows: list[dict]) -> None:
    insert_rows(rows)
    session = db.session()
    # What was just written is what the answer shows: nothing needs to be read again.
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    if any(r["status"] == "pending" for r in rows):
        deliver_soon()


def open_repair(
    *,
    pairing: Pairing,
    title: str,
    role: str,
    now: datetime,
    seen: bool = False,
    kind: str = "everyday",
) -> Repair:
    """Open a repair about one incident; ``role`` is how the opener sees their part
    (apologizing or hurt), ``kind`` says whether it is about broken trust (a longer
    repair, ``couples.repair.trust``). The partner hears that a repair was started, never
    its title nor a role: they say how they see it in their ``ready`` step."""
    body = validate(OpenIn, {"title": title, "role": role, "kind": kind})
    begin_write(db.session)
    before_sending({"title": body["title"]}, seen=seen)
    me, partner = pairing.me, pairing.partner
    apologizing, hurt = (me, partner) if body["role"] == APOLOGIZING else (partner, me)
    repair = Repair(
        couple_id=pairing.couple.id,
        title=body["title"].strip(),
        kind=body["kind"],
        opened_by_id=me.id,
        apologizing_id=apologizing.id,
        hurt_id=hurt.id,
        state="ready",
        ready_roles=[],
        plan_parts={},
        apology_rounds=0,
        opener_view=body["role"],
        created_at=now,
        turn_since=now,
        steps=[],
        commitments=[],
    )
    db.session.add(repair)
    db.session.flush()
    record(
        repair,
        user_id=me.id,
        role=body["role"],
        action="open",
        before="ready",
        payload={"title": repair.title, "role": body["role"]},
        now=now,
    )
    reschedule(repair, now)
    # No role for the partner, not even by implication: they say how they see it first.
    with writing_to(partner):
        title = _("%(name)s would like to talk something through", name=me.display_name)
        body = _("Open it when you have a calm moment, and say how you see it.")
    rows = [
        notification_row(
            user=partner,
            kind="repair_started",
            dedupe_key=f"repair:{repair.id}:open",
            title=title,
            body=body,
            url=f"/repairs/{repair.public_id}",
            now=now,
            data={"repair": repair.public_id},
        )
    ]
    _commit(rows)
    return repair


def note_seen(*, pairing: Pairing, repair: Repair, now: datetime) -> None:
    """I have been shown ``repair`` as it stands: remember its latest step for me, so my
    partner is told I have read their words only once I have. Writes only when a step is
    new to me, in one statement that never moves what was seen backwards (a step taken
    meanwhile stays unseen). Call it once the page or answer is made: the write ends the
    reading transaction."""
    shown = latest_step_id(repair)
    column_name = seen_column(repair, pairing.me.id)
    if not shown or (getattr(repair, column_name) or 0) >= shown:
        return
    repair_id = repair.id
    begin_write(db.session)
    column = getattr(Repair, column_name)
    db.session.execute(
        db.update(Repair)
        .where(Repair.id == repair_id, db.or_(column.is_(None), column < shown))
        .values({column_name: shown})
    )
    db.session.commit()


def action_for(repair: Repair, step: str, me_id: int) -> str:
    """The machine action behind ``steps/{step}`` for me; 404 for an unknown step."""
    if step not in machine.STEP_STATES:
        raise NotFound(_("There is no such step."))
    if step == "reconnect":
        return "reconnect_choose" if role_of(repair, me_id) == APOLOGIZING else "reconnect_confirm"
    if step == "reflect":
        return "reflect" if role_of(repair, me_id) == APOLOGIZING else "reflect_confirm"
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


def act(
    *, pairing: Pairing, repair: Repair, step: str, body: dict, now: datetime
) -> tuple[Repair, list[dict]]:
    """Take my step ``step`` with ``body``. Refusals come in the order 404 (no such
    step), 409, 403, 422, and change nothing. Returns the repair and, for an apology,
    the apology check's warnings (they never block it)."""
    users = _users(pairing)
    rows = settle_pause(repair, users, now)
    action = check_step(pairing=pairing, repair=repair, step=step, now=now)
    data = validate(STEP_SCHEMAS[action], body)
    seen = data.pop(SEND_ANYWAY, False)
    role = role_of(repair, pairing.me.id)
    before_state = repair.state
    before_roles = waiting_roles(repair, now)
    facts, payload, warnings = {}, {}, []
    views = None
    if action == "ready":
        views, facts = _views_after(repair, pairing.me.id, data.get("view"))
        payload = {"view": data["view"]} if "view" in data and views else {}
    elif action == "hearing":
        payload = {
            **data,
            "i_feel": data["i_feel"].strip(),
            "when": data["when"].strip(),
            "because": data["because"].strip(),
            "i_need": data["i_need"].strip(),
            # The sentence says what they wrote after "I feel" (the picker's
            # words are kept beside it, as ``feelings``).
            "statement": content.i_statement(
                data["i_feel"].strip(),
                data["when"].strip(),
                data["because"].strip(),
                data["i_need"].strip(),
            ),
        }
    elif action == "reflect":
        payload = {"what_i_heard": data["what_i_heard"].strip()}
    elif action == "reflect_confirm":
        facts = {"thats_it": data["thats_it"]}
        payload = {"thats_it": data["thats_it"]}
        missed = (data.get("missed") or "").strip()
        if missed:
            payload["missed"] = missed
    elif action == "apology":
        payload = {k: data[k].strip() for k in ("acknowledgement", "empathy", "restitution")}
        # The notes are the writer's drafting help: returned to them, never kept for the
        # partner to read as a grade.
        warnings = apology.as_dicts(
            apology.check(
                **payload,
                feelings=content.said_feelings(_feelings(repair)),
                language=current_language(),
            )
        )
        payload["round"] = repair.apology_rounds + 1
    elif action == "response":
        facts = {"heard": data["heard"]}
        payload = {
            "heard": data["heard"],
            "missing": (data.get("missing") or "").strip() or None,
            "forgive": data.get("forgive"),
        }
    elif action == "plan":
        facts = {"commitments": len(data["commitments"])}
        payload = {
            "my_part": data["my_part"].strip(),
            "commitments": [
                {
                    "text": c["text"].strip(),
                    "owner": c["owner"],
                    "follow_up_days": c["follow_up_days"],
                }
                for c in data["commitments"]
            ],
        }
    elif action == "reconnect_choose":
        payload = {"choice": data["choice"].strip()}
    elif action == "reconnect_confirm":
        facts = {"confirmed": data["confirmed"]}
        payload = {"confirmed": data["confirmed"], "choice": repair.reconnect_choice}
        instead = (data.get("instead") or "").strip()
        if instead:
            payload["instead"] = instead
    try:
        after = machine.apply(snapshot(repair, now), action, role, **facts)
    except machine.RepairError as error:
        db.session.rollback()
        raise _domain_error(error) from None
    before_sending(data, seen=seen)  # words of danger: the writer sees help first
    unchanged_views = views is None or views == (repair.opener_view, repair.partner_view)
    if action == "ready" and role in (repair.ready_roles or []) and unchanged_views:
        _commit(rows)  # saying it again changes nothing (but a pause that ran out ends)
        return repair, []
    repair.state = after.state
    repair.ready_roles = sorted(after.ready)
    if views is not None:
        repair.ready_roles = _take_views(repair, views, after)
    repair.apology_rounds = after.apology_rounds
    if action == "plan":
        repair.plan_parts = {**(repair.plan_parts or {}), role: facts["commitments"]}
    if action == "reflect":
        repair.reflection = payload["what_i_heard"]
    if action == "reflect_confirm" and not data["thats_it"]:
        repair.reflection = None  # said back again, with what was missed
    if action == "reconnect_choose":
        repair.reconnect_choice = payload["choice"]
    if action == "reconnect_confirm":
        if data["confirmed"]:
            repair.reconnect_confirmed = True
            repair.following_since = now
        else:
            repair.reconnect_choice = None
    step_row = record(
        repair,
        user_id=pairing.me.id,
        role=role,
        action=action,
        before=before_state,
        payload=payload,
        now=now,
    )
    db.session.flush()
    if before_state == "plan" and repair.state == "reconnect":
        _make_commitments(repair, pairing, now)
    if repair.state != before_state or waiting_roles(repair, now) != before_roles:
        repair.turn_since = now
    reschedule(repair, now)
    db.session.flush()
    rows += _turn_rows(
        repair,
        users,
        actor_id=pairing.me.id,
        before=before_roles,
        before_state=before_state,
        step=step_row,
        now=now,
    )
    _commit(rows)
    return repair, warnings


def _views_after(repair: Repair, me_id: int, view: str | None):
    """(opener's view, partner's view) once my ``ready`` with ``view`` is taken, and the
    machine's facts about them; ``(None, {})`` when the roles were settled already (or
    the repair is from before partners were asked). 422 when I am the partner and have
    not said how I see it yet."""
    if repair.opener_view is None or roles_settled(repair):
        return None, {}
    opener = me_id == repair.opened_by_id
    if not opener and repair.partner_view is None and view is None:
        raise Invalid(errors={"view": [_("Say how you see it, so you can begin.")]})
    views = (repair.opener_view, repair.partner_view)
    if view is not None:
        views = (view, views[1]) if opener else (views[0], view)
    settled = machine.settle_roles(*views, proposed_role(repair)) is not None
    facts = {"roles_settled": settled, "views_differ": not settled and views[1] is not None}
    return views, facts


def _take_views(repair: Repair, views: tuple[str, str | None], after) -> list[str]:
    """Keep both views; once they settle the roles, give each partner theirs. Returns
    who is ready, by their (possibly new) role."""
    ready_users = {user_of(repair, role) for role in after.ready}
    repair.opener_view, repair.partner_view = views
    opener_role = machine.settle_roles(*views, proposed_role(repair))
    if opener_role is not None:
        other_id = (
            repair.hurt_id
            if repair.apologizing_id == repair.opened_by_id
            else (repair.apologizing_id)
        )
        if opener_role == APOLOGIZING:
            repair.apologizing_id, repair.hurt_id = repair.opened_by_id, other_id
        else:
            repair.apologizing_id, repair.hurt_id = other_id, repair.opened_by_id
    return sorted(role for role in machine.ROLES if user_of(repair, role) in ready_users)


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
                couple_id=repair.couple_id,
                repair_id=repair.id,
                written_by_id=user_id,
                text=item["text"],
                owner_id=user_id if item["owner"] == "me" else partner_id,
                created_at=now,
            )
            commitment.follow_ups = [
                FollowUp(repair_id=repair.id, days=days, due_at=now + timedelta(days=days))
                for days in item["follow_up_days"]
            ]
            repair.commitments.append(commitment)


def check_control(*, pairing: Pairing, repair: Repair, action: str, now: datetime) -> None:
    """409s of pause, resume and close (either partner may take them)."""
    try:
        machine.check(snapshot(repair, now), action, role_of(repair, pairing.me.id))
    except machine.RepairError as error:
        raise _domain_error(error) from None


def pause(*, pairing: Pairing, repair: Repair, body: dict, now: datetime) -> Repair:
    """A timeout: the repair keeps its state until the return time (20 minutes to 24
    hours), when both partners are told it is over. Either may resume earlier."""
    users = _users(pairing)
    rows = settle_pause(repair, users, now)
    check_control(pairing=pairing, repair=repair, action="pause", now=now)
    data = validate(PauseIn, body)
    before = repair.state
    repair.paused_until = now + timedelta(minutes=data["minutes"])
    repair.paused_by_id = pairing.me.id
    record(
        repair,
        user_id=pairing.me.id,
        role=role_of(repair, pairing.me.id),
        action="pause",
        before=before,
        payload={"minutes": data["minutes"], "until": isoformat(repair.paused_until)},
        now=now,
    )
    reschedule(repair, now)
    _commit(rows)
    return repair


def resume(*, pairing: Pairing, repair: Repair, now: datetime) -> Repair:
    """Come back before the return time (when it has come already, the clock's resume
    is all there is to do)."""
    users = _users(pairing)
    rows = settle_pause(repair, users, now)
    if rows:  # its time was up already: resumed by the clock just now
        _commit(rows)
        return repair
    check_control(pairing=pairing, repair=repair, action="resume", now=now)
    before = repair.state
    repair.paused_until = None
    repair.turn_since = now
    step = record(
        repair,
        user_id=pairing.me.id,
        role=role_of(repair, pairing.me.id),
        action="resume",
        before=before,
        payload={"reason": "early"},
        now=now,
    )
    reschedule(repair, now)
    db.session.flush()
    # Coming back early is an ordinary message (it waits for the partner's quiet hours);
    # only the return time they were promised may come through at night.
    with writing_to(pairing.partner):
        title = _("%(name)s is back", name=pairing.me.display_name)
        body = _("Come back to your repair when you feel ready.")
    rows = [
        notification_row(
            user=pairing.partner,
            kind="repair_your_turn",
            dedupe_key=f"repair:{repair.id}:{step.id}",
            topic_key=f"repair-{repair.id}",
            title=title,
            body=body,
            url=f"/repairs/{repair.public_id}",
            now=now,
            data={"repair": repair.public_id},
        )
    ]
    _commit(rows)
    return repair


def close(*, pairing: Pairing, repair: Repair, body: dict, now: datetime) -> Repair:
    """End a repair early, with an optional note. The partner finds it in their inbox."""
    check_control(pairing=pairing, repair=repair, action="close", now=now)
    data = validate(CloseIn, body)
    note = (data.get("note") or "").strip() or None
    before_sending({"note": note}, seen=data.get(SEND_ANYWAY, False))
    before = repair.state
    repair.state = "closed"
    repair.paused_until = None
    repair.ended_at = now
    repair.closed_by_id = pairing.me.id
    repair.closing_note = note
    step = record(
        repair,
        user_id=pairing.me.id,
        role=role_of(repair, pairing.me.id),
        action="close",
        before=before,
        payload={"note": note},
        now=now,
    )
    reschedule(repair, now)
    db.session.flush()
    with writing_to(pairing.partner):
        title = _("%(name)s closed a repair", name=pairing.me.display_name)
        body = _("You can always open a new one.")
    rows = [
        notification_row(
            user=pairing.partner,
            kind="repair_closed",
            dedupe_key=f"repair:{repair.id}:{step.id}",
            title=title,
            body=body,
            url=f"/repairs/{repair.public_id}",
            now=now,
        )
    ]
    _commit(rows)
    return repair


def check_follow_up(
    *, pairing: Pairing, repair: Repair, follow_up: FollowUp, now: datetime
) -> None:
    """409 when the follow-up cannot be answered now (not yet its date, complete, the
    repair ended, or I answered it already)."""
    if repair.state in machine.FINAL:
        raise RepairEnded(_("This repair has ended."))
    if repair.state != "following_through":
        raise RepairConflict(_("Follow-ups start once the plan is made and you reconnected."))
    if follow_up.completed_at is not None:
        raise Conflict(_("This follow-up is complete."))
    if follow_up.due_at > now:
        raise Conflict(_("This follow-up opens on its date."))
    if any(a.user_id == pairing.me.id for a in follow_up.answers):
        raise Conflict(_("You answered this follow-up already."))


def answer_follow_up(
    *, pairing: Pairing, repair: Repair, follow_up_id: str, body: dict, now: datetime
) -> Repair:
    """ "Did we follow through?": kept, partly or not, with a note. The repair is resolved
    once every follow-up is complete."""
    follow_up = find_follow_up(repair, follow_up_id)
    check_follow_up(pairing=pairing, repair=repair, follow_up=follow_up, now=now)
    data = validate(FollowUpIn, body)
    note = (data.get("note") or "").strip() or None
    before_sending({"note": note}, seen=data.get(SEND_ANYWAY, False))
    follow_up.answers.append(
        FollowUpAnswer(user_id=pairing.me.id, outcome=data["outcome"], note=note, created_at=now)
    )
    before_roles = waiting_roles(repair, now)
    if {a.user_id for a in follow_up.answers} >= {repair.apologizing_id, repair.hurt_id}:
        follow_up.completed_at = now
    step = record(
        repair,
        user_id=pairing.me.id,
        role=role_of(repair, pairing.me.id),
        action="follow_up",
        before=repair.state,
        payload={"follow_up": follow_up.public_id, "outcome": data["outcome"], "note": note},
        now=now,
    )
    advance_follow_through(repair, role_of(repair, pairing.me.id), now)
    step.state_after = repair.state
    db.session.flush()
    rows = _turn_rows(
        repair,
        _users(pairing),
        actor_id=pairing.me.id,
        before=before_roles,
        before_state="following_through",
        step=step,
        now=now,
    )
    _commit(rows)
    return repair


# ------------------------------------------------------------------- export and deletion


def export(user: User) -> dict:
    """What I wrote in repairs: my steps (with the title of the repairs I opened) and my
    follow-up answers."""
    steps = db.session.execute(
        db.select(RepairStep, Repair.public_id, Repair.title, Repair.opened_by_id)
        .join(Repair)
        .where(RepairStep.user_id == user.id)
        .order_by(RepairStep.id)
    ).all()
    answers = db.session.execute(
        db.select(FollowUpAnswer)
        .join(FollowUp, FollowUp.id == FollowUpAnswer.follow_up_id)
        .where(FollowUpAnswer.user_id == user.id, FollowUp.repair_id.is_not(None))
        .order_by(FollowUpAnswer.id)
    ).scalars()
    return {
        "repair_steps": [
            {
                "repair": public_id,
                "title": title if opened_by == user.id else None,
                "action": step.action,
                "role": step.role,
                "at": isoformat(step.created_at),
                # A confirmation repeats the reconnect choice, which the partner may
                # have written: only my own words are mine to take.
                "written": {k: v for k, v in step.payload.items() if k != "choice"}
                if step.action == "reconnect_confirm"
                else step.payload,
            }
            for step, public_id, title, opened_by in steps
        ],
        "follow_up_answers": [
            {"outcome": a.outcome, "note": a.note, "at": isoformat(a.created_at)} for a in answers
        ],
    }


def before_account_deleted(user: User, now: datetime) -> None:
    """A deleted account takes its words with it: its steps and answers go by cascade;
    the texts it wrote that live on the shared repair (a title, a closing note, what it
    heard, a reconnect choice, its commitments) are cleared. What the partner wrote stays."""
    db.session.execute(db.update(Repair).where(Repair.opened_by_id == user.id).values(title=""))
    db.session.execute(
        db.update(Repair).where(Repair.closed_by_id == user.id).values(closing_note=None)
    )
    db.session.execute(
        db.update(Repair)
        .where(Repair.apologizing_id == user.id, Repair.reconnect_choice.is_not(None))
        .values(reconnect_choice=None)
    )
    db.session.execute(
        db.update(Repair)
        .where(Repair.apologizing_id == user.id, Repair.reflection.is_not(None))
        .values(reflection=None)
    )
    db.session.execute(
        db.update(Commitment).where(Commitment.written_by_id == user.id).values(text="")
    )
