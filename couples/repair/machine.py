"""The repair workflow as a pure state machine (DESIGN section 4).

A repair moves through ``ready → hearing → reflect → apology → response → plan →
reconnect → following_through → resolved``. In ``reflect`` the apologizing partner says
back what they heard before any apology, and the hurt partner confirms it or adds what
was missed (then it is said back again); ``response`` may loop back to ``apology`` ("not yet"),
either partner may ``close`` it early, and a pause (a timeout) keeps the state while
only ``resume`` or ``close`` are accepted.

Partners appear here by their role in this repair: ``apologizing`` or ``hurt``. The
opener says theirs; the other partner is never given one: in ``ready`` they say how they
see it (``view``: hurt, apologizing, or ``both``), and ``settle_roles`` reads the two
views. Until the roles are settled the walk does not go on; when the views differ
(both hurt, or both wanting to make it right) either may change theirs. Facts
that live outside the machine (how many commitments a plan part holds, how many
follow-ups are still open) come in with the action. The machine never reads a clock or
a database: ``apply`` takes a snapshot and an action and returns the next snapshot, or
raises a ``RepairError`` that says exactly why not. The transition table below is the
whole of what can happen."""

from collections.abc import Callable
from dataclasses import dataclass, replace

from flask_babel import gettext as _

APOLOGIZING = "apologizing"
HURT = "hurt"
ROLES = (APOLOGIZING, HURT)
BOTH = frozenset(ROLES)
SYSTEM = "system"  # the clock: a pause that ends, follow-ups that lapse
BOTH_VIEW = "both"  # "we both are": hurt, and wanting to make it right
VIEWS = (HURT, APOLOGIZING, BOTH_VIEW)

STATES = (
    "ready",
    "hearing",
    "reflect",
    "apology",
    "response",
    "plan",
    "reconnect",
    "following_through",
    "resolved",
    "closed",
)
FINAL = frozenset({"resolved", "closed"})
# A timeout may be taken in any of these; the follow-through days are not a conversation.
PAUSABLE = frozenset({"ready", "hearing", "reflect", "apology", "response", "plan", "reconnect"})
# The states whose step is sent to ``steps/{state}`` (the rest move by other actions).
STEP_STATES = ("ready", "hearing", "reflect", "apology", "response", "plan", "reconnect")


def other(role: str) -> str:
    return HURT if role == APOLOGIZING else APOLOGIZING


def settle_roles(opener_view: str, partner_view: str | None, proposed: str) -> str | None:
    """The opener's role once both have said how they see it, or ``None`` while the
    partner has not said or the two views differ.

    - One hurt and one wanting to make it right: as they said.
    - "We both are" from one of them: the other's view stands, and the one who said
      "both" takes the other side this time. Both name their own part in the plan, and
      the other side can have its own repair afterwards.
    - "We both are" from both: the opener's first choice (``proposed``) stands.
    - Both hurt, or both wanting to make it right: they differ, and settle it by one of
      them changing their view."""
    if partner_view is None:
        return None
    if opener_view == BOTH_VIEW and partner_view == BOTH_VIEW:
        return proposed
    if partner_view == BOTH_VIEW:
        return opener_view
    if opener_view == BOTH_VIEW:
        return other(partner_view)
    if opener_view == partner_view:
        return None
    return opener_view


# ---------------------------------------------------------------------------- errors


class RepairError(Exception):
    """An action the repair cannot take now. ``code`` names the reason."""

    code = "repair"


class Finished(RepairError):
    """The repair is resolved or closed: nothing more can happen to it."""

    code = "finished"


class WrongState(RepairError):
    """The action belongs to another state than the repair's."""

    code = "wrong_state"


class Paused(RepairError):
    """The repair is paused: only resume and close are accepted."""

    code = "paused"


class NotPaused(RepairError):
    code = "not_paused"


class NotYourTurn(RepairError):
    """The action is the other partner's to take, or nobody's yet."""

    code = "not_your_turn"


class NeedsCommitment(RepairError):
    """The plan would be complete without a single commitment."""

    code = "needs_commitment"


class UnknownAction(RepairError):
    code = "unknown_action"


# -------------------------------------------------------------------------- snapshot


@dataclass(frozen=True)
class Snapshot:
    """What the machine needs to know about one repair."""

    state: str = "ready"
    paused: bool = False
    ready: frozenset[str] = frozenset()  # who said "I'm calm enough" in ``ready``
    plan_parts: frozenset[str] = frozenset()  # who sent their part of the plan
    # who sent a plan part holding at least one commitment (a part sent again replaces it)
    committed: frozenset[str] = frozenset()
    choice_made: bool = False  # a reconnect choice awaits confirmation
    reflected: bool = False  # what the apologizing partner heard awaits confirmation
    apology_rounds: int = 0  # apologies sent (revisions included)
    # Both have said how they see it and the views fit (see ``settle_roles``); until
    # then ``ready`` does not lead on. ``views_differ``: both said, and they don't fit.
    roles_settled: bool = True
    views_differ: bool = False


# ------------------------------------------------------------------------ transitions


def _ready(s: Snapshot, role: str, facts: dict) -> Snapshot:
    ready = s.ready | {role}
    settled = facts.get("roles_settled", s.roles_settled)
    differ = facts.get("views_differ", s.views_differ) and not settled
    state = "hearing" if ready == BOTH and settled else "ready"
    return replace(s, state=state, ready=ready, roles_settled=settled, views_differ=differ)


def _hearing(s: Snapshot, role: str, facts: dict) -> Snapshot:
    return replace(s, state="reflect")


def _reflect(s: Snapshot, role: str, facts: dict) -> Snapshot:
    return replace(s, reflected=True)


def _reflect_confirm(s: Snapshot, role: str, facts: dict) -> Snapshot:
    if facts["thats_it"]:
        return replace(s, state="apology", reflected=False)
    return replace(s, reflected=False)  # what was missed: said back again


def _apology(s: Snapshot, role: str, facts: dict) -> Snapshot:
    return replace(s, state="response", apology_rounds=s.apology_rounds + 1)


def _response(s: Snapshot, role: str, facts: dict) -> Snapshot:
    return replace(s, state="plan" if facts["heard"] else "apology")


def _plan(s: Snapshot, role: str, facts: dict) -> Snapshot:
    count = facts["commitments"]
    if not isinstance(count, int) or count < 0:
        raise ValueError("commitments is a count")
    committed = s.committed | {role} if count else s.committed - {role}
    parts = s.plan_parts | {role}
    if parts == BOTH:
        if not committed:
            raise NeedsCommitment(_("A plan needs at least one commitment."))
        return replace(s, state="reconnect", plan_parts=parts, committed=committed)
    return replace(s, plan_parts=parts, committed=committed)


def _choose(s: Snapshot, role: str, facts: dict) -> Snapshot:
    return replace(s, choice_made=True)


def _confirm(s: Snapshot, role: str, facts: dict) -> Snapshot:
    if facts["confirmed"]:
        return replace(s, state="following_through", choice_made=False)
    return replace(s, choice_made=False)  # back to the apologizing partner to choose again


def _follow_up(s: Snapshot, role: str, facts: dict) -> Snapshot:
    left = facts["open_follow_ups"]
    if not isinstance(left, int) or left < 0:
        raise ValueError("open_follow_ups is a count")
    return replace(s, state="resolved") if left == 0 else s


def _pause(s: Snapshot, role: str, facts: dict) -> Snapshot:
    return replace(s, paused=True)


def _resume(s: Snapshot, role: str, facts: dict) -> Snapshot:
    return replace(s, paused=False)


def _close(s: Snapshot, role: str, facts: dict) -> Snapshot:
    return replace(s, state="closed", paused=False)


# Who may act, given the snapshot: a set of roles (SYSTEM for the clock).
Actors = Callable[[Snapshot], frozenset[str]]


def _not_yet_ready(s: Snapshot) -> frozenset[str]:
    return BOTH - s.ready


def _reflector_or_confirmer(action: str) -> Actors:
    def actors(s: Snapshot) -> frozenset[str]:
        waiting_for = HURT if s.reflected else APOLOGIZING
        wanted = "reflect_confirm" if s.reflected else "reflect"
        return frozenset({waiting_for}) if action == wanted else frozenset()

    return actors


def _chooser_or_confirmer(action: str) -> Actors:
    def actors(s: Snapshot) -> frozenset[str]:
        waiting_for = HURT if s.choice_made else APOLOGIZING
        wanted = "reconnect_confirm" if s.choice_made else "reconnect_choose"
        return frozenset({waiting_for}) if action == wanted else frozenset()

    return actors


@dataclass(frozen=True)
class Rule:
    actors: Actors
    apply: Callable[[Snapshot, str, dict], Snapshot]
    facts: tuple[str, ...] = ()
    # Facts that may be left out (the snapshot's own value holds then).
    optional_facts: tuple[str, ...] = ()
    # The ``ready`` step: saying it again changes nothing (and is not an error), save
    # while the views differ: then it is how a partner changes theirs.
    repeat_is_noop: bool = False


# (state, action) → rule. Anything not in this table cannot happen.
TRANSITIONS: dict[tuple[str, str], Rule] = {
    ("ready", "ready"): Rule(
        lambda s: BOTH,
        _ready,
        optional_facts=("roles_settled", "views_differ"),
        repeat_is_noop=True,
    ),
    ("hearing", "hearing"): Rule(lambda s: frozenset({HURT}), _hearing),
    ("reflect", "reflect"): Rule(_reflector_or_confirmer("reflect"), _reflect),
    ("reflect", "reflect_confirm"): Rule(
        _reflector_or_confirmer("reflect_confirm"), _reflect_confirm, ("thats_it",)
    ),
    ("apology", "apology"): Rule(lambda s: frozenset({APOLOGIZING}), _apology),
    ("response", "response"): Rule(lambda s: frozenset({HURT}), _response, ("heard",)),
    ("plan", "plan"): Rule(lambda s: BOTH, _plan, ("commitments",)),
    ("reconnect", "reconnect_choose"): Rule(_chooser_or_confirmer("reconnect_choose"), _choose),
    ("reconnect", "reconnect_confirm"): Rule(
        _chooser_or_confirmer("reconnect_confirm"), _confirm, ("confirmed",)
    ),
    ("following_through", "follow_up"): Rule(
        lambda s: BOTH | {SYSTEM}, _follow_up, ("open_follow_ups",)
    ),
}
# Actions that do not depend on the state's own step.
PAUSE_ACTIONS = {
    "pause": Rule(lambda s: BOTH, _pause),
    "resume": Rule(lambda s: BOTH | {SYSTEM}, _resume),
    "close": Rule(lambda s: BOTH, _close),
}
ACTIONS = frozenset({a for _, a in TRANSITIONS} | set(PAUSE_ACTIONS))
# The step name a client sends for each action (``steps/{state}``).
STEP_OF_ACTION = {
    "ready": "ready",
    "hearing": "hearing",
    "reflect": "reflect",
    "reflect_confirm": "reflect",
    "apology": "apology",
    "response": "response",
    "plan": "plan",
    "reconnect_choose": "reconnect",
    "reconnect_confirm": "reconnect",
}


def _rule(s: Snapshot, action: str) -> Rule:
    if action not in ACTIONS:
        raise UnknownAction(_("There is no action %(action)s.", action=repr(action)))
    if s.state in FINAL:
        raise Finished(_("This repair has ended."))
    if action in PAUSE_ACTIONS:
        if action == "pause":
            if s.paused:
                raise Paused(_("This repair is paused already."))
            if s.state not in PAUSABLE:
                raise WrongState(_("A pause is for the conversation, not the follow-through."))
        if action == "resume" and not s.paused:
            raise NotPaused(_("This repair is not paused."))
        return PAUSE_ACTIONS[action]
    if s.paused:
        raise Paused(_("This repair is paused. Resume it first."))
    rule = TRANSITIONS.get((s.state, action))
    if rule is None:
        step = STEP_OF_ACTION.get(action, action)
        raise WrongState(
            _("This repair is at %(state)s, not %(step)s.", state=repr(s.state), step=repr(step))
        )
    return rule


def check(s: Snapshot, action: str, role: str) -> Rule:
    """The rule that lets ``role`` take ``action`` now, or the error that says why not:
    ``Finished``, ``WrongState`` or ``Paused`` (the state forbids it) before
    ``NotYourTurn`` (someone else's step)."""
    rule = _rule(s, action)
    if role not in rule.actors(s) and not (rule.repeat_is_noop and role in s.ready):
        raise NotYourTurn(
            _("This step is your partner's.")
            if role in ROLES
            else _("Nobody can take this step now.")
        )
    return rule


def apply(s: Snapshot, action: str, role: str, **facts) -> Snapshot:
    """The snapshot after ``role`` takes ``action``. Raises a ``RepairError`` when the
    action is not allowed, and ``ValueError`` when its facts are missing or wrong. A
    repeated ``ready`` returns the snapshot unchanged."""
    rule = check(s, action, role)
    missing = set(rule.facts) - set(facts)
    unknown = set(facts) - set(rule.facts) - set(rule.optional_facts)
    if missing or unknown:
        raise ValueError(
            f"facts for {action!r}: missing {sorted(missing)}, unknown {sorted(unknown)}"
        )
    if rule.repeat_is_noop and role in s.ready and not s.views_differ:
        return s
    return rule.apply(s, role, facts)


def next_actors(s: Snapshot) -> frozenset[str]:
    """The roles that can move the repair on now: empty when paused or finished. In
    ``following_through`` both may answer, on each follow-up's date."""
    if s.paused or s.state in FINAL:
        return frozenset()
    if s.state == "ready":
        return BOTH if s.views_differ else _not_yet_ready(s)
    if s.state == "plan":
        return BOTH - s.plan_parts
    if s.state == "reconnect":
        return frozenset({HURT if s.choice_made else APOLOGIZING})
    if s.state == "reflect":
        return frozenset({HURT if s.reflected else APOLOGIZING})
    if s.state == "following_through":
        return BOTH
    return next(rule.actors(s) for (state, _), rule in TRANSITIONS.items() if state == s.state)


def allowed(s: Snapshot, role: str) -> list[str]:
    """Every action ``role`` may take now (for pages: which buttons to show)."""
    out = []
    for action in sorted(ACTIONS):
        try:
            check(s, action, role)
        except RepairError:
            continue
        out.append(action)
    return out
