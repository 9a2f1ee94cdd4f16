"""The repair state machine (DESIGN section 4), on its own: no app, no database.

The expectations here are written from the DESIGN table, independently of the machine's
own transition table: who may act in each state, which state follows, and which error
an action gets when it cannot be taken (a state error before a turn error)."""

from dataclasses import dataclass, replace

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from couples.repair.machine import (
    ACTIONS,
    APOLOGIZING,
    BOTH,
    FINAL,
    HURT,
    PAUSABLE,
    PAUSE_ACTIONS,
    ROLES,
    STATES,
    STEP_OF_ACTION,
    STEP_STATES,
    SYSTEM,
    TRANSITIONS,
    Finished,
    NeedsCommitment,
    NotPaused,
    NotYourTurn,
    Paused,
    RepairError,
    Snapshot,
    UnknownAction,
    WrongState,
    allowed,
    apply,
    check,
    next_actors,
    other,
    settle_roles,
)

# ------------------------------------------------------------- the DESIGN, restated

A, H, SYS = "apologizing", "hurt", "system"
PARTNERS = frozenset({A, H})
STRANGER = "stranger"  # not a role in this repair at all
ALL_ACTORS = (A, H, SYS, STRANGER)

CONVERSATION = frozenset(
    {"ready", "hearing", "reflect", "apology", "response", "plan", "reconnect"}
)
ENDED = frozenset({"resolved", "closed"})

# The state each step action belongs to.
STEP_STATE = {
    "ready": "ready",
    "hearing": "hearing",
    "reflect": "reflect",
    "reflect_confirm": "reflect",
    "apology": "apology",
    "response": "response",
    "plan": "plan",
    "reconnect_choose": "reconnect",
    "reconnect_confirm": "reconnect",
    "follow_up": "following_through",
}
KNOWN_ACTIONS = frozenset(STEP_STATE) | {"pause", "resume", "close"}
UNKNOWN_ACTIONS = ("forgive", "reconnect", "reflect_say", "steps", "")

# The facts each action carries in.
FACTS = {
    "response": {"heard"},
    "reflect_confirm": {"thats_it"},
    "plan": {"commitments"},
    "reconnect_confirm": {"confirmed"},
    "follow_up": {"open_follow_ups"},
}

# Every change of state a step can make (pause and resume keep the state).
STEP_EDGES = {
    ("ready", "ready"),
    ("ready", "hearing"),
    ("hearing", "reflect"),
    ("reflect", "reflect"),
    ("reflect", "apology"),
    ("apology", "response"),
    ("response", "plan"),
    ("response", "apology"),
    ("plan", "plan"),
    ("plan", "reconnect"),
    ("reconnect", "reconnect"),
    ("reconnect", "following_through"),
    ("following_through", "following_through"),
    ("following_through", "resolved"),
}
ALLOWED_EDGES = (
    STEP_EDGES
    | {(s, s) for s in CONVERSATION}  # pause / resume
    | {(s, "closed") for s in set(STATES) - ENDED}  # close, from anywhere not ended
)


@dataclass(frozen=True)
class Model:
    """The test's own account of a repair, kept alongside the machine's snapshot."""

    state: str = "ready"
    paused: bool = False
    ready: frozenset = frozenset()
    parts: frozenset = frozenset()
    committed: frozenset = frozenset()
    choice: bool = False
    reflected: bool = False
    rounds: int = 0

    def snapshot(self) -> Snapshot:
        return Snapshot(
            state=self.state,
            paused=self.paused,
            ready=self.ready,
            plan_parts=self.parts,
            committed=self.committed,
            choice_made=self.choice,
            reflected=self.reflected,
            apology_rounds=self.rounds,
        )


def expected_actors(m: Model, action: str) -> frozenset:
    """Who may take ``action`` now, straight from the DESIGN table."""
    if action in ("ready", "plan", "pause", "close"):
        return PARTNERS
    if action in ("hearing", "response"):
        return frozenset({H})
    if action == "apology":
        return frozenset({A})
    if action == "reflect":
        return frozenset() if m.reflected else frozenset({A})
    if action == "reflect_confirm":
        return frozenset({H}) if m.reflected else frozenset()
    if action == "reconnect_choose":
        return frozenset() if m.choice else frozenset({A})
    if action == "reconnect_confirm":
        return frozenset({H}) if m.choice else frozenset()
    if action in ("follow_up", "resume"):
        return PARTNERS | {SYS}
    raise AssertionError(action)


def expected_error(m: Model, action: str, role: str) -> type[RepairError] | None:
    """The error ``check`` must raise, or None: unknown action, then the state's errors,
    then whose turn it is."""
    if action not in KNOWN_ACTIONS:
        return UnknownAction
    if m.state in ENDED:
        return Finished
    if m.paused:
        if action not in ("resume", "close"):
            return Paused
    else:
        if action == "resume":
            return NotPaused
        if action == "pause" and m.state not in CONVERSATION:
            return WrongState
        if action in STEP_STATE and STEP_STATE[action] != m.state:
            return WrongState
    if role not in expected_actors(m, action):
        return NotYourTurn
    return None


def expected_next(m: Model, action: str, role: str, facts: dict) -> Model:
    """The model after an allowed action with the right facts (may raise NeedsCommitment)."""
    if action == "pause":
        return replace(m, paused=True)
    if action == "resume":
        return replace(m, paused=False)
    if action == "close":
        return replace(m, state="closed", paused=False)
    if action == "ready":
        ready = m.ready | {role}
        return replace(m, ready=ready, state="hearing" if ready == PARTNERS else "ready")
    if action == "hearing":
        return replace(m, state="reflect")
    if action == "reflect":
        return replace(m, reflected=True)
    if action == "reflect_confirm":
        return replace(m, reflected=False, state="apology" if facts["thats_it"] else "reflect")
    if action == "apology":
        return replace(m, state="response", rounds=m.rounds + 1)
    if action == "response":
        return replace(m, state="plan" if facts["heard"] else "apology")
    if action == "plan":
        committed = (m.committed | {role}) if facts["commitments"] > 0 else m.committed - {role}
        parts = m.parts | {role}
        if parts == PARTNERS:
            if not committed:
                raise NeedsCommitment
            return replace(m, parts=parts, committed=committed, state="reconnect")
        return replace(m, parts=parts, committed=committed)
    if action == "reconnect_choose":
        return replace(m, choice=True)
    if action == "reconnect_confirm":
        return replace(
            m, choice=False, state="following_through" if facts["confirmed"] else "reconnect"
        )
    if action == "follow_up":
        return replace(m, state="resolved") if facts["open_follow_ups"] == 0 else m
    raise AssertionError(action)


def expected_next_actors(m: Model) -> frozenset:
    if m.paused or m.state in ENDED:
        return frozenset()
    return {
        "ready": PARTNERS - m.ready,
        "hearing": frozenset({H}),
        "reflect": frozenset({H if m.reflected else A}),
        "apology": frozenset({A}),
        "response": frozenset({H}),
        "plan": PARTNERS - m.parts,
        "reconnect": frozenset({H if m.choice else A}),
        "following_through": PARTNERS,
    }[m.state]


def valid_moves(m: Model) -> list[tuple[str, str, dict]]:
    """Moves that must succeed and push the repair on (no pause, no close)."""
    if m.state in ENDED:
        return []
    if m.paused:
        return [("resume", r, {}) for r in (A, H, SYS)]
    if m.state == "ready":
        return [("ready", r, {}) for r in sorted(PARTNERS - m.ready)]
    if m.state == "hearing":
        return [("hearing", H, {})]
    if m.state == "reflect":
        if m.reflected:
            return [
                ("reflect_confirm", H, {"thats_it": True}),
                ("reflect_confirm", H, {"thats_it": True}),
                ("reflect_confirm", H, {"thats_it": False}),
            ]
        return [("reflect", A, {})]
    if m.state == "apology":
        return [("apology", A, {})]
    if m.state == "response":
        return [
            ("response", H, {"heard": True}),
            ("response", H, {"heard": True}),
            ("response", H, {"heard": False}),
        ]
    if m.state == "plan":
        moves = []
        for r in (A, H):
            others_committed = bool(m.committed - {r})
            last = (m.parts | {r}) == PARTNERS
            lowest = 1 if last and not others_committed else 0
            moves += [("plan", r, {"commitments": n}) for n in range(lowest, 4)]
        return moves
    if m.state == "reconnect":
        if m.choice:
            return [
                ("reconnect_confirm", H, {"confirmed": True}),
                ("reconnect_confirm", H, {"confirmed": False}),
            ]
        return [("reconnect_choose", A, {})]
    if m.state == "following_through":
        return [("follow_up", r, {"open_follow_ups": n}) for r in (A, H, SYS) for n in range(3)]
    raise AssertionError(m.state)


def refusal(s: Snapshot, action: str, role: str) -> type[RepairError] | None:
    """The error ``check`` raises, or None (cheaper than ``pytest.raises`` in a loop)."""
    try:
        check(s, action, role)
    except RepairError as e:
        return type(e)
    return None


def replay(log: list[tuple[str, str, dict]]) -> Snapshot:
    s = Snapshot()
    for action, role, facts in log:
        s = apply(s, action, role, **facts)
    return s


# ------------------------------------------------------------ the random walk

fact_values = st.fixed_dictionaries(
    {
        "heard": st.booleans(),
        "commitments": st.integers(0, 3),
        "confirmed": st.booleans(),
        "thats_it": st.booleans(),
        "open_follow_ups": st.integers(0, 3),
    }
)
# None: exactly the facts the action needs; a set: whichever facts, right or wrong.
fact_keys = st.one_of(
    st.none(),
    st.none(),
    st.sets(
        st.sampled_from(
            sorted({"heard", "commitments", "confirmed", "thats_it", "open_follow_ups"})
        )
    ),
)


class RepairWalk(RuleBasedStateMachine):
    """Both partners and the clock try actions, valid or not, in any order."""

    def __init__(self):
        super().__init__()
        self.snap = Snapshot()
        self.model = Model()
        self.log: list[tuple[str, str, dict]] = []
        self.applied = 0
        self.rejected = 0

    def attempt(self, action: str, role: str, facts: dict) -> None:
        old, m = self.snap, self.model
        want_error = expected_error(m, action, role)
        if want_error is None and set(facts) != FACTS.get(action, set()):
            with pytest.raises(ValueError):
                apply(old, action, role, **facts)
            self.rejected += 1
            return
        if want_error is None:
            try:
                want = expected_next(m, action, role, facts)
            except NeedsCommitment:
                want_error = NeedsCommitment
        if want_error is not None:
            with pytest.raises(RepairError) as raised:
                apply(old, action, role, **facts)
            assert type(raised.value) is want_error, (m, action, role, raised.value)
            assert self.snap is old
            self.rejected += 1
            return

        new = apply(old, action, role, **facts)
        assert apply(old, action, role, **facts) == new  # no hidden inputs
        # Only the right partner acted; only a listed edge was taken; nothing left FINAL.
        assert role in expected_actors(m, action)
        assert (old.state, new.state) in ALLOWED_EDGES, (old.state, action, new.state)
        assert old.state not in FINAL
        if action in ("pause", "resume"):
            assert new.state == old.state
        if action == "ready" and role in old.ready:
            assert new == old  # re-sending your own ready is a no-op
        assert new == want.snapshot(), (action, role, facts)
        self.snap, self.model = new, want
        self.log.append((action, role, facts))
        self.applied += 1
        # The snapshot is exactly what the accepted actions make, and nothing else.
        assert replay(self.log) == self.snap

    @rule(
        action=st.sampled_from(sorted(ACTIONS) + list(UNKNOWN_ACTIONS)),
        role=st.sampled_from(ALL_ACTORS),
        values=fact_values,
        keys=fact_keys,
    )
    def anything(self, action, role, values, keys):
        wanted = FACTS.get(action, set()) if keys is None else keys
        self.attempt(action, role, {k: values[k] for k in wanted})

    @rule(action=st.sampled_from(sorted(ACTIONS)), role=st.sampled_from(ROLES), values=fact_values)
    def partner_step(self, action, role, values):
        self.attempt(action, role, {k: values[k] for k in FACTS.get(action, set())})

    @rule(action=st.sampled_from(["resume", "follow_up"]), values=fact_values)
    def clock(self, action, values):
        self.attempt(action, SYS, {k: values[k] for k in FACTS.get(action, set())})

    def step_on(self, data) -> None:
        action, role, facts = data.draw(st.sampled_from(valid_moves(self.model)))
        before = self.applied
        self.attempt(action, role, facts)
        assert self.applied == before + 1

    # Two rules that always take a valid step, so that the walk gets deep.
    @precondition(lambda self: self.model.state not in ENDED)
    @rule(data=st.data())
    def progress(self, data):
        self.step_on(data)

    @precondition(lambda self: self.model.state not in ENDED)
    @rule(data=st.data())
    def more_progress(self, data):
        self.step_on(data)

    @precondition(lambda self: self.model.state in CONVERSATION and not self.model.paused)
    @rule(who=st.sampled_from(ROLES))
    def timeout(self, who):
        self.attempt("pause", who, {})
        assert self.snap.paused

    @invariant()
    def matches_model(self):
        assert self.snap == self.model.snapshot()
        assert self.snap.state in STATES

    @invariant()
    def next_actors_are_right(self):
        actors = next_actors(self.snap)
        assert (not actors) == (self.snap.paused or self.snap.state in FINAL)
        assert actors == expected_next_actors(self.model)

    @invariant()
    def every_check_is_right(self):
        for role in ALL_ACTORS:
            ok = []
            for action in sorted(KNOWN_ACTIONS | set(UNKNOWN_ACTIONS)):
                want = expected_error(self.model, action, role)
                assert refusal(self.snap, action, role) is want, (self.model, action, role)
                if want is None:
                    ok.append(action)
            assert allowed(self.snap, role) == ok

    @invariant()
    def ended_accepts_nothing(self):
        if self.snap.state in FINAL:
            for action in ACTIONS:
                for role in ALL_ACTORS:
                    assert refusal(self.snap, action, role) is Finished

    @invariant()
    def paused_accepts_only_resume_and_close(self):
        if self.snap.paused:
            assert self.snap.state in PAUSABLE
            for role in ALL_ACTORS:
                for action in ACTIONS - {"resume", "close"}:
                    assert refusal(self.snap, action, role) is Paused
                assert set(allowed(self.snap, role)) <= {"resume", "close"}

    @invariant()
    def state_error_before_turn_error(self):
        # A step that is not the current state's, sent by someone who could never send
        # it, is refused for the state (or the pause), not for the turn.
        if self.snap.state in FINAL:
            return
        for action, state in STEP_STATE.items():
            if state == self.snap.state and not self.snap.paused:
                continue
            assert refusal(self.snap, action, STRANGER) in (WrongState, Paused)


WALK_SETTINGS = settings(
    max_examples=200,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
RepairWalk.TestCase.settings = WALK_SETTINGS
TestRepairWalk = RepairWalk.TestCase


def test_the_walk_reaches_every_state():
    """The random walk goes deep: every state (resolved included), a pause in every
    conversation state, and an apology that took more than one round."""
    seen_states, paused_in, rounds = set(), set(), [0]

    class Recording(RepairWalk):
        @invariant()
        def record(self):
            seen_states.add(self.snap.state)
            if self.snap.paused:
                paused_in.add(self.snap.state)
            rounds[0] = max(rounds[0], self.snap.apology_rounds)

    run_state_machine_as_test(
        Recording,
        settings=settings(WALK_SETTINGS, max_examples=150, derandomize=True, database=None),
    )
    assert seen_states == set(STATES)
    assert paused_in == set(CONVERSATION)
    assert rounds[0] >= 2


# ------------------------------------------------------------------ unit tests


def run(s: Snapshot, *steps) -> Snapshot:
    for action, role, *facts in steps:
        s = apply(s, action, role, **(facts[0] if facts else {}))
    return s


def walk_to(state: str) -> Snapshot:
    """A fresh repair moved to ``state`` along the happy path."""
    path = [
        ("ready", A),
        ("ready", H),
        ("hearing", H),
        ("reflect", A),
        ("reflect_confirm", H, {"thats_it": True}),
        ("apology", A),
        ("response", H, {"heard": True}),
        ("plan", A, {"commitments": 1}),
        ("plan", H, {"commitments": 1}),
        ("reconnect_choose", A),
        ("reconnect_confirm", H, {"confirmed": True}),
        ("follow_up", SYS, {"open_follow_ups": 0}),
    ]
    s = Snapshot()
    for step in path:
        if s.state == state:
            return s
        s = run(s, step)
    assert s.state == state
    return s


def test_vocabulary_matches_the_design():
    assert (APOLOGIZING, HURT, SYSTEM) == (A, H, SYS)
    assert set(ROLES) == set(BOTH) == PARTNERS
    assert STATES == (
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
    assert FINAL == ENDED
    assert PAUSABLE == CONVERSATION
    assert set(STEP_STATES) == CONVERSATION
    assert ACTIONS == KNOWN_ACTIONS
    assert set(PAUSE_ACTIONS) == {"pause", "resume", "close"}
    assert {(s, a) for s, a in TRANSITIONS} == {(s, a) for a, s in STEP_STATE.items()}
    assert {a: s for a, s in STEP_STATE.items() if s in STEP_STATES} == STEP_OF_ACTION
    assert other(A) == H and other(H) == A
    codes = [
        e.code
        for e in (
            Finished,
            WrongState,
            Paused,
            NotPaused,
            NotYourTurn,
            NeedsCommitment,
            UnknownAction,
        )
    ]
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize("opener", ROLES)
def test_happy_path_for_either_opener(opener):
    """The machine works on roles: whoever opened, the same steps lead to resolved."""
    second = other(opener)
    s = Snapshot()
    assert s.state == "ready" and next_actors(s) == PARTNERS

    s = apply(s, "ready", opener)
    assert s.state == "ready" and next_actors(s) == {second}
    s = apply(s, "ready", second)
    assert s.state == "hearing" and next_actors(s) == {H}
    s = apply(s, "hearing", H)
    assert s.state == "reflect" and next_actors(s) == {A}
    # Said back, not quite right: said back again, then confirmed.
    s = apply(s, "reflect", A)
    assert s.state == "reflect" and s.reflected and next_actors(s) == {H}
    s = apply(s, "reflect_confirm", H, thats_it=False)
    assert s.state == "reflect" and not s.reflected and next_actors(s) == {A}
    s = apply(s, "reflect", A)
    s = apply(s, "reflect_confirm", H, thats_it=True)
    assert s.state == "apology" and next_actors(s) == {A}
    s = apply(s, "apology", A)
    assert s.state == "response" and s.apology_rounds == 1 and next_actors(s) == {H}
    s = apply(s, "response", H, heard=True)
    assert s.state == "plan" and next_actors(s) == PARTNERS
    s = apply(s, "plan", opener, commitments=2)
    assert s.state == "plan" and next_actors(s) == {second}
    s = apply(s, "plan", second, commitments=0)
    assert s.state == "reconnect" and next_actors(s) == {A}
    s = apply(s, "reconnect_choose", A)
    assert s.state == "reconnect" and s.choice_made and next_actors(s) == {H}
    s = apply(s, "reconnect_confirm", H, confirmed=True)
    assert s.state == "following_through" and next_actors(s) == PARTNERS
    s = apply(s, "follow_up", SYS, open_follow_ups=3)
    s = apply(s, "follow_up", opener, open_follow_ups=1)
    assert s.state == "following_through"
    s = apply(s, "follow_up", second, open_follow_ups=0)
    assert s.state == "resolved" and next_actors(s) == frozenset()
    for role in ALL_ACTORS:
        assert allowed(s, role) == []


def test_ready_again_is_a_noop():
    s = apply(Snapshot(), "ready", H)
    assert apply(s, "ready", H) == s
    assert apply(apply(s, "ready", H), "ready", A).state == "hearing"
    with pytest.raises(NotYourTurn):
        apply(s, "ready", SYS)
    with pytest.raises(ValueError):
        apply(s, "ready", H, heard=True)


def test_not_yet_loops_back_to_apology_and_counts_rounds():
    s = walk_to("response")
    assert s.apology_rounds == 1
    for round_ in (2, 3):
        s = apply(s, "response", H, heard=False)
        assert s.state == "apology" and next_actors(s) == {A}
        with pytest.raises(NotYourTurn):
            apply(s, "apology", H)
        s = apply(s, "apology", A)
        assert s.state == "response" and s.apology_rounds == round_
    s = apply(s, "response", H, heard=True)
    assert s.state == "plan" and s.apology_rounds == 3


def test_plan_needs_a_commitment_from_someone():
    s = walk_to("plan")
    first = apply(s, "plan", A, commitments=0)  # the first part may hold none
    assert first.state == "plan" and next_actors(first) == {H}
    with pytest.raises(NeedsCommitment):
        apply(first, "plan", H, commitments=0)
    assert apply(first, "plan", H, commitments=1).state == "reconnect"


def test_a_plan_part_sent_again_replaces_the_earlier_one():
    s = walk_to("plan")
    # A commitment taken back: the plan would end with none.
    s1 = run(s, ("plan", A, {"commitments": 2}), ("plan", A, {"commitments": 0}))
    assert s1.state == "plan" and s1.plan_parts == {A} and s1.committed == frozenset()
    with pytest.raises(NeedsCommitment):
        apply(s1, "plan", H, commitments=0)
    # A commitment added on the second try: the plan is complete.
    s2 = run(s, ("plan", H, {"commitments": 0}), ("plan", H, {"commitments": 1}))
    assert s2.committed == {H}
    assert apply(s2, "plan", A, commitments=0).state == "reconnect"


def test_plan_commitments_must_be_a_count():
    s = walk_to("plan")
    for bad in (-1, "1", None, 1.5):
        with pytest.raises(ValueError):
            apply(s, "plan", A, commitments=bad)


def test_follow_ups_must_be_a_count():
    s = walk_to("following_through")
    for bad in (-1, "0", None):
        with pytest.raises(ValueError):
            apply(s, "follow_up", SYS, open_follow_ups=bad)


def test_reconnect_not_confirmed_goes_back_to_the_choice():
    s = apply(walk_to("reconnect"), "reconnect_choose", A)
    with pytest.raises(NotYourTurn):
        apply(s, "reconnect_choose", A)  # the choice awaits the hurt partner
    s = apply(s, "reconnect_confirm", H, confirmed=False)
    assert s.state == "reconnect" and not s.choice_made and next_actors(s) == {A}
    with pytest.raises(NotYourTurn):
        apply(s, "reconnect_confirm", H, confirmed=True)
    with pytest.raises(NotYourTurn):
        apply(s, "reconnect_choose", H)
    s = apply(s, "reconnect_choose", A)
    assert apply(s, "reconnect_confirm", H, confirmed=True).state == "following_through"


@pytest.mark.parametrize("state", sorted(CONVERSATION))
@pytest.mark.parametrize("who", ROLES)
def test_pause_resume_and_close_from_each_conversation_state(state, who):
    s = walk_to(state)
    paused = apply(s, "pause", who)
    assert paused == replace(s, paused=True)
    assert next_actors(paused) == frozenset()
    with pytest.raises(Paused):
        apply(paused, "pause", other(who))
    for resumer in (A, H, SYS):
        assert apply(paused, "resume", resumer) == s
    with pytest.raises(NotYourTurn):
        apply(paused, "resume", STRANGER)
    with pytest.raises(NotYourTurn):
        apply(paused, "close", SYS)
    for closer in ROLES:
        assert apply(paused, "close", closer).state == "closed"
        closed = apply(s, "close", closer)
        assert closed.state == "closed" and not closed.paused
        assert next_actors(closed) == frozenset()


def test_paused_refuses_every_step_with_paused():
    s = apply(walk_to("hearing"), "pause", H)
    for action in sorted(STEP_STATE):
        for role in ALL_ACTORS:
            with pytest.raises(Paused):
                apply(s, action, role, **{k: 1 for k in FACTS.get(action, ())})


def test_no_pause_in_following_through():
    s = walk_to("following_through")
    for role in ROLES:
        with pytest.raises(WrongState):
            apply(s, "pause", role)
        assert apply(s, "close", role).state == "closed"
    assert "pause" not in allowed(s, A)


def test_pause_is_for_the_partners():
    s = walk_to("apology")
    with pytest.raises(NotYourTurn):
        apply(s, "pause", SYS)


def test_resume_when_not_paused():
    s = walk_to("plan")
    for role in ALL_ACTORS:
        with pytest.raises(NotPaused):
            apply(s, "resume", role)


@pytest.mark.parametrize("state", sorted(ENDED))
def test_an_ended_repair_accepts_nothing(state):
    s = walk_to("resolved") if state == "resolved" else apply(walk_to("plan"), "close", A)
    assert s.state == state
    for action in ACTIONS:
        for role in ALL_ACTORS:
            with pytest.raises(Finished):
                apply(s, action, role, **{k: 0 for k in FACTS.get(action, ())})


def test_unknown_action():
    for s in (Snapshot(), walk_to("plan"), walk_to("resolved")):
        for action in UNKNOWN_ACTIONS:
            with pytest.raises(UnknownAction):
                apply(s, action, A)


def test_state_errors_come_before_turn_errors():
    with pytest.raises(WrongState):
        check(walk_to("hearing"), "apology", H)  # wrong state and wrong partner
    with pytest.raises(WrongState):
        check(walk_to("apology"), "hearing", A)
    with pytest.raises(WrongState):
        check(Snapshot(), "follow_up", STRANGER)
    with pytest.raises(Paused):
        check(apply(walk_to("hearing"), "pause", A), "hearing", A)
    with pytest.raises(Finished):
        check(walk_to("resolved"), "close", SYS)
    with pytest.raises(NotPaused):
        check(walk_to("ready"), "resume", STRANGER)


@pytest.mark.parametrize(
    ("action", "facts"),
    [
        ("response", {}),
        ("response", {"heard": True, "missing": "x"}),
        ("plan", {}),
        ("plan", {"commitments": 1, "heard": True}),
        ("hearing", {"feelings": ["hurt"]}),
        ("apology", {"heard": True}),
    ],
)
def test_facts_missing_or_unknown(action, facts):
    s = walk_to(STEP_STATE[action])
    role = A if action in ("apology", "plan") else H
    with pytest.raises(ValueError):
        apply(s, action, role, **facts)


def test_facts_for_reconnect_and_follow_up():
    s = apply(walk_to("reconnect"), "reconnect_choose", A)
    with pytest.raises(ValueError):
        apply(s, "reconnect_confirm", H)
    with pytest.raises(ValueError):
        apply(walk_to("reconnect"), "reconnect_choose", A, confirmed=True)
    with pytest.raises(ValueError):
        apply(walk_to("following_through"), "follow_up", A)


def test_allowed_lists_exactly_the_valid_actions():
    s = Snapshot()
    assert allowed(s, A) == allowed(s, H) == ["close", "pause", "ready"]
    assert allowed(s, SYS) == []
    s = walk_to("hearing")
    assert allowed(s, H) == ["close", "hearing", "pause"]
    assert allowed(s, A) == ["close", "pause"]
    s = walk_to("reconnect")
    assert allowed(s, A) == ["close", "pause", "reconnect_choose"]
    assert allowed(s, H) == ["close", "pause"]
    s = apply(s, "reconnect_choose", A)
    assert allowed(s, A) == ["close", "pause"]
    assert allowed(s, H) == ["close", "pause", "reconnect_confirm"]
    s = walk_to("following_through")
    assert allowed(s, A) == allowed(s, H) == ["close", "follow_up"]
    assert allowed(s, SYS) == ["follow_up"]
    s = apply(walk_to("apology"), "pause", H)
    assert allowed(s, A) == allowed(s, H) == ["close", "resume"]
    assert allowed(s, SYS) == ["resume"]
    assert allowed(s, STRANGER) == []


@pytest.mark.parametrize(
    ("opener", "partner", "proposed", "expected"),
    [
        (A, H, A, A),
        (H, A, H, H),
        (A, "both", A, A),
        (H, "both", H, H),
        ("both", H, A, A),
        ("both", A, H, H),
        ("both", "both", H, H),
        (A, A, A, None),
        (H, H, H, None),
        (A, None, A, None),
    ],
)
def test_settle_roles_reads_both_views(opener, partner, proposed, expected):
    assert settle_roles(opener, partner, proposed) == expected


def test_ready_leads_on_only_once_the_roles_are_settled():
    s = apply(Snapshot(roles_settled=False), "ready", A)
    assert next_actors(s) == {H}
    s = apply(s, "ready", H, roles_settled=False, views_differ=True)
    # They see it differently: nobody goes on, and either may change their view.
    assert s.state == "ready" and next_actors(s) == PARTNERS
    assert apply(s, "ready", A, roles_settled=False, views_differ=True) == s
    settled = apply(s, "ready", A, roles_settled=True, views_differ=False)
    assert settled.state == "hearing" and not settled.views_differ
    # Settled, but one of them not ready yet: they still say so first.
    s = apply(Snapshot(roles_settled=False), "ready", H, roles_settled=True)
    assert s.state == "ready" and next_actors(s) == {A}
