"""What each kind of notification is: its delivery policy. Pure data, no Flask."""

from dataclasses import dataclass

from couples.i18n import N_


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # for the settings page, which translates it (``| tr``)
    ttl_seconds: int  # how long a push service keeps it for an offline device
    urgency: str = "normal"  # RFC 8030 Urgency
    replaceable: bool = False  # reminders carry a Topic: an offline device gets the latest
    quiet_hours_exempt: bool = False
    # Counts against (and is held by) the daily cap. The cap is for reminders and nudges:
    # what the partner did (an appreciation, a bid, an answer) and every step of a repair
    # always go (within quiet hours), and do not count.
    capped: bool = True
    user_can_turn_off: bool = True
    until_end_of_evening: bool = False  # TTL runs to the end of the recipient's evening


DAY = 24 * 3600

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "checkin_reminder",
            N_("Tonight's check-in reminder"),
            DAY,
            replaceable=True,
            until_end_of_evening=True,
        ),
        Kind("partner_checked_in", N_("When my partner finishes the check-in"), DAY),
        Kind("appreciation_received", N_("Appreciations from my partner"), DAY, capped=False),
        Kind("appreciation_nudge", N_("A nudge to send an appreciation"), DAY, replaceable=True),
        Kind("practice_week", N_("My practice for the week (Mondays)"), DAY, replaceable=True),
        Kind("bid_received", N_("Bids for connection"), 12 * 3600, capped=False),
        Kind("bid_answered", N_("Answers to my bids"), 12 * 3600, capped=False),
        Kind("repair_started", N_("A repair is started"), DAY, capped=False),
        Kind("repair_your_turn", N_("My turn in a repair"), DAY, replaceable=True, capped=False),
        Kind(
            "repair_timeout_over",
            N_("A repair pause is over"),
            DAY,
            urgency="high",
            quiet_hours_exempt=True,
            capped=False,
            user_can_turn_off=False,
        ),
        Kind("repair_follow_up", N_("Repair follow-ups"), DAY, replaceable=True, capped=False),
        Kind(
            "repair_question", N_("Questions and answers in a repair of trust"), DAY, capped=False
        ),
        Kind("trust_checkin", N_("The weekly trust check-in"), DAY, replaceable=True),
        Kind("weekly_checkin", N_("The weekly check-in"), DAY, replaceable=True),
        Kind("promise_made", N_("A small promise from my partner"), DAY, capped=False),
        Kind("promise_day", N_("Small promises on their day"), DAY, replaceable=True),
        Kind("plan_proposed", N_("A plan for us from my partner"), DAY, capped=False),
        Kind("plan_answered", N_("Answers to my plans for us"), DAY, capped=False),
        Kind("plan_reminder", N_("Before a plan we said yes to"), 2 * 3600),
        Kind(
            "test",
            N_("Test push"),
            60,
            quiet_hours_exempt=True,
            capped=False,
            user_can_turn_off=False,
        ),
    )
}

# Kinds that live only in the in-app inbox (never pushed).
INBOX_ONLY = frozenset({"couple_ended", "repair_closed", "checkin_reaction"})

USER_KINDS = tuple(k for k in KINDS.values() if k.user_can_turn_off)
