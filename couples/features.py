"""What each feature does for the others, declared in one place and bound by
``create_app``: its part of an account's export and of its deletion, and what the reminder
tick asks of it. Nothing is registered by importing a module."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app


@dataclass(frozen=True)
class Features:
    # "Export my data": a name for each feature's part, and the function that makes it.
    exporters: dict[str, Callable]
    # Before an account is deleted, in the deletion's transaction and in this order:
    # unlinking first (the partner is told, and no former partner's notifications name
    # the account any more), then the words the account wrote on shared repairs are
    # cleared.
    before_delete: tuple[Callable, ...]
    # Given the users whose check-in reminder is due (user, couple id, local date), the
    # ids of those who need none tonight (for example: they answered already).
    skip_checkin_reminders: tuple[Callable, ...]
    # Given the same batch, the time and each user's pushes today: more outbox rows that
    # come at a partner's reminder time (the appreciation nudge).
    at_reminder_time: tuple[Callable, ...]
    # The clock's other work each tick: called with ``now``, each returns how many
    # notifications it created (erasing the shared history of couples ended long enough
    # ago creates none).
    on_tick: tuple[Callable[[datetime], int], ...]


def init_app(app: Flask) -> None:
    from couples import drafts
    from couples.accounts import passkeys
    from couples.appreciations import services as appreciations
    from couples.bids import services as bids
    from couples.checkins import services as checkins
    from couples.grow import promises, together
    from couples.grow import services as grow
    from couples.kept import services as kept
    from couples.lovelanguages import services as lovelanguages
    from couples.notifications import services as notifications
    from couples.pairing import history as couple_history
    from couples.pairing import services as pairing
    from couples.repair import clock as repair_clock
    from couples.repair import services as repair
    from couples.repair import trust

    app.extensions["couples.features"] = Features(
        exporters={
            "pairing": pairing.export,
            "passkeys": passkeys.export,
            "notifications": notifications.export,
            "checkins": checkins.export,
            "love_languages": lovelanguages.export,
            "appreciations": appreciations.export,
            "bids": bids.export,
            "repairs": repair.export,
            "repair_trust": trust.export,
            "kept": kept.export,
            "grow": grow.export,
            "promises": promises.export,
            "together": together.export,
        },
        before_delete=(
            pairing.before_account_deleted,
            repair.before_account_deleted,
            trust.before_account_deleted,
            together.before_account_deleted,
        ),
        skip_checkin_reminders=(checkins.answered_already,),
        at_reminder_time=(appreciations.nudges, grow.practice_reminders),
        on_tick=(
            repair_clock.tick,
            trust.tick,
            promises.tick,
            together.tick,
            couple_history.tick,
            drafts.tick,
        ),
    )


def features() -> Features:
    """The features of the current app."""
    return current_app.extensions["couples.features"]
