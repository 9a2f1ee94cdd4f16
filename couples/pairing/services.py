"""Pairing: invites, linking two partners, unlinking."""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from couples import audit
from couples.accounts.models import User, UserSession
from couples.clock import isoformat
from couples.db import begin_write
from couples.errors import AlreadyLinked, InviteGone, NotFound, NotLinked, OwnInvite
from couples.extensions import db
from couples.i18n import N_, writing_to
from couples.notifications import reminders
from couples.notifications.models import Notification
from couples.notifications.services import forget_name, notify, withdraw_pending
from couples.pairing.history import erase_history, restorable_until
from couples.pairing.models import Couple, CoupleMember, Invite
from couples.pairing.queries import is_linked

# Crockford's base32: no I, L, O or U, so a code read aloud or typed is hard to get wrong.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
_CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


@dataclass(frozen=True)
class Pairing:
    couple: Couple
    me: User
    partner: User


def normalize_code(raw: str) -> str | None:
    """The canonical form of a typed or linked code, or None when it cannot be one."""
    code = re.sub(r"[\s-]", "", raw or "").upper()
    code = code.replace("O", "0").replace("I", "1").replace("L", "1")
    return code if _CODE_RE.match(code) else None


def _pairing_query():
    # Built once: making aliases and statements is costly next to running them.
    mine, theirs = aliased(CoupleMember), aliased(CoupleMember)
    return (
        db.select(Couple, User)
        .join(mine, mine.couple_id == Couple.id)
        .join(theirs, (theirs.couple_id == Couple.id) & (theirs.user_id != mine.user_id))
        .join(User, User.id == theirs.user_id)
        .where(mine.user_id == bindparam("user_id"), mine.left_at.is_(None))
    )


_PAIRING_QUERY = _pairing_query()


def _session_query():
    me, mine, theirs, partner = (
        aliased(User),
        aliased(CoupleMember),
        aliased(CoupleMember),
        aliased(User),
    )
    return (
        db.select(UserSession, me, Couple, partner)
        .join(me, me.id == UserSession.user_id)
        .outerjoin(mine, (mine.user_id == me.id) & mine.left_at.is_(None))
        .outerjoin(Couple, Couple.id == mine.couple_id)
        .outerjoin(
            theirs,
            (theirs.couple_id == mine.couple_id)
            & (theirs.user_id != me.id)
            & theirs.left_at.is_(None),
        )
        .outerjoin(partner, partner.id == theirs.user_id)
        .where(UserSession.token_hash == bindparam("token_hash"))
    )


_SESSION_QUERY = _session_query()


def session_user_and_pairing(
    token_hash: str,
) -> tuple[UserSession, User, Pairing | None] | None:
    """A session with its user and their current couple and partner, in one query (for
    each request), or None when no session has this token."""
    row = db.session.execute(_SESSION_QUERY, {"token_hash": token_hash}).first()
    if row is None:
        return None
    record, user, couple, partner = row
    return record, user, (Pairing(couple=couple, me=user, partner=partner) if couple else None)


def active_pairing(user: User) -> Pairing | None:
    """The user's current couple and partner, or None. One query."""
    row = db.session.execute(_PAIRING_QUERY, {"user_id": user.id}).first()
    if row is None:
        return None
    return Pairing(couple=row[0], me=user, partner=row[1])


def members_of(couple_ids: set[int]) -> dict[int, list[User]]:
    """The current members of each of the couples, in one query (for the clock's
    reminders to both partners)."""
    found: dict[int, list[User]] = {}
    if not couple_ids:
        return found
    rows = db.session.execute(
        db.select(CoupleMember.couple_id, User)
        .join(User, User.id == CoupleMember.user_id)
        .where(CoupleMember.couple_id.in_(couple_ids), CoupleMember.left_at.is_(None))
    ).all()
    for couple_id, user in rows:
        found.setdefault(couple_id, []).append(user)
    return found


def require_pairing(user: User) -> Pairing:
    pairing = active_pairing(user)
    if pairing is None:
        raise NotLinked(_("You are not linked to a partner yet."))
    return pairing


def live_invite(*, user: User, now: datetime) -> Invite | None:
    return db.session.execute(
        db.select(Invite)
        .where(Invite.inviter_id == user.id, Invite.used_at.is_(None), Invite.expires_at > now)
        .order_by(Invite.created_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def create_invite(*, user: User, now: datetime) -> Invite:
    """A single-use invite that expires after 48 hours. Refused while linked."""
    begin_write(db.session)
    if is_linked(user.id):
        raise AlreadyLinked(_("You are already linked to a partner."))
    ttl = timedelta(hours=current_app.config["INVITE_TTL_HOURS"])
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    invite = Invite(code=code, inviter_id=user.id, created_at=now, expires_at=now + ttl)
    db.session.add(invite)
    db.session.commit()
    return invite


def find_invite(*, code: str) -> Invite:
    normal = normalize_code(code)
    invite = None
    if normal:
        invite = db.session.execute(db.select(Invite).filter_by(code=normal)).scalar_one_or_none()
    if invite is None:
        raise NotFound(_("There is no invite with that code. Check it with your partner."))
    return invite


# Shown where the refusal is (``| tr``), as the errors' titles.
GONE = N_("This invite was already used or has expired. Ask for a new one.")


def inviter_for_signup(*, code: str, now: datetime) -> str | None:
    """The name of whoever made the invite ``code``, for the sign-up page it leads a new
    partner to: only while the invite can still link them (unused, not expired, its
    author not linked meanwhile). None for anything else, with no word on why. The code
    is the invitation itself (fifty bits, sent to one person): knowing it is what lets
    one see the name."""
    normal = normalize_code(code)
    if normal is None:
        return None
    invite = db.session.execute(db.select(Invite).filter_by(code=normal)).scalar_one_or_none()
    if (
        invite is None
        or invite.used_at is not None
        or invite.expires_at <= now
        or is_linked(invite.inviter_id)
    ):
        return None
    return invite.inviter.display_name


def usable_invite(*, user: User, code: str, now: datetime) -> Invite:
    """The invite ``user`` may accept, or the refusal they would get. An invite that
    cannot link its author any more is refused like a used one: the refusal says
    nothing about the person who made it."""
    return _check_invite(find_invite(code=code), user=user, now=now)


def _check_invite(invite: Invite, *, user: User, now: datetime) -> Invite:
    if invite.inviter_id == user.id:
        raise OwnInvite(_("This is your own invite: send the link to your partner."))
    if is_linked(user.id):  # before "gone": linking just now ended the invite too
        raise AlreadyLinked(_("You are already linked to a partner."))
    if invite.used_at is not None or invite.expires_at <= now or is_linked(invite.inviter_id):
        raise InviteGone(GONE)
    return invite


def accept_invite(*, user: User, code: str, now: datetime) -> Pairing:
    """Link ``user`` with the invite's author. The database refuses anyone in two
    couples, so two accepts at the same moment cannot both succeed for one person.
    Every other invite either of them still has ends here: none links them later.

    When the same two ended a couple of theirs less than ``COUPLE_RESTORE_DAYS`` ago
    and its history was not erased, that couple is reopened as it was (check-ins,
    journal, bids, repairs, schedule), in the same slots: both said yes again, one by
    inviting and the other by accepting. Only their latest couple comes back."""
    begin_write(db.session)
    invite = find_invite(code=code)
    # Both people's open invites, this one included, are locked in one order (PostgreSQL)
    # before anything is checked: two accepts between the same people wait for each
    # other instead of deadlocking over the invites each one ends.
    db.session.execute(
        db.select(Invite.id)
        .where(Invite.inviter_id.in_({invite.inviter_id, user.id}), Invite.used_at.is_(None))
        .order_by(Invite.id)
        .with_for_update()
    ).all()
    _check_invite(invite, user=user, now=now)
    claimed = db.session.execute(
        db.update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None), Invite.expires_at > now)
        .values(used_at=now)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise InviteGone(_("This invite was just used. Ask for a new one."))
    couple = _restorable_couple(invite.inviter_id, user.id, now)
    try:
        if couple is not None:
            _reopen(couple, now)
        else:
            couple = Couple(created_at=now)
            db.session.add(couple)
            db.session.flush()
            members = [
                CoupleMember(couple_id=couple.id, user_id=invite.inviter_id, slot=1, joined_at=now),
                CoupleMember(couple_id=couple.id, user_id=user.id, slot=2, joined_at=now),
            ]
            # Always in the same order, so two crossing accepts wait for each other
            # instead of deadlocking; the unique index then refuses the second.
            for member in sorted(members, key=lambda m: m.user_id):
                db.session.add(member)
                db.session.flush()
        db.session.execute(
            db.update(Invite).where(Invite.id == invite.id).values(couple_id=couple.id)
        )
        _revoke_invites([invite.inviter_id, user.id], now)
        db.session.flush()
        for person in (user, invite.inviter):
            reminders.reschedule(person, now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise AlreadyLinked(_("One of you was linked a moment ago. Nothing changed.")) from None
    return require_pairing(user)


def _restorable_couple(first_id: int, second_id: int, now: datetime) -> Couple | None:
    """The latest couple of these two people, when it can be reopened now: ended, not
    erased, and ended less than ``COUPLE_RESTORE_DAYS`` ago. Locked (PostgreSQL), so the
    clock's erasure skips it meanwhile."""
    first, second = aliased(CoupleMember), aliased(CoupleMember)
    couple = db.session.execute(
        db.select(Couple)
        .join(first, (first.couple_id == Couple.id) & (first.user_id == first_id))
        .join(second, (second.couple_id == Couple.id) & (second.user_id == second_id))
        .order_by(Couple.id.desc())
        .limit(1)
        .with_for_update(of=Couple)
    ).scalar_one_or_none()
    if couple is None or couple.ended_at is None:
        return None
    until = restorable_until(couple)
    return couple if until is not None and now < until else None


def _reopen(couple: Couple, now: datetime) -> None:
    """Make an ended couple current again, with both its members (their rows and slots
    as they were). Not committed here. The database still refuses anyone in two couples:
    a member linked elsewhere meanwhile makes the flush fail (IntegrityError)."""
    couple.ended_at = None
    couple.ended_by_id = None
    for member in sorted(couple.members, key=lambda m: m.user_id):
        member.left_at = None
        db.session.flush()
    # The notice that this link ended is old news now (not one about another link).
    db.session.execute(
        db.update(Notification)
        .where(
            Notification.user_id.in_([m.user_id for m in couple.members]),
            Notification.kind == "couple_ended",
            Notification.dedupe_key.startswith(f"couple:{couple.id}:", autoescape=True),
            Notification.read_at.is_(None),
        )
        .values(read_at=now)
    )


def _revoke_invites(user_ids: list[int], now: datetime) -> None:
    """End every invite of ``user_ids`` that could still be accepted (it expires now)."""
    db.session.execute(
        db.update(Invite)
        .where(Invite.inviter_id.in_(user_ids), Invite.used_at.is_(None), Invite.expires_at > now)
        .values(expires_at=now)
    )


def unlink(*, user: User, now: datetime, erase: bool = False) -> None:
    """End the user's couple, at once and without anyone's approval. The other partner
    gets a calm in-app notice (no push). From now on neither sees anything of the
    other's; each keeps their own words (``couples.pairing.history``). The shared
    history can come back if the same two link again within ``COUPLE_RESTORE_DAYS``,
    unless ``erase``: then it is erased now."""
    begin_write(db.session)
    pairing = require_pairing(user)
    _end_couple(pairing=pairing, now=now, erase=erase)
    user_id = user.id
    db.session.commit()
    audit.record("unlink", user_id=user_id)
    if erase:
        audit.record("history_erase", user_id=user_id)


def _end_couple(*, pairing: Pairing, now: datetime, erase: bool = False) -> None:
    """Unlink ``pairing.me`` from their partner. Not committed here."""
    user, couple = pairing.me, pairing.couple
    couple.ended_at = now
    couple.ended_by_id = user.id
    for member in couple.members:
        member.left_at = now
        member.user.next_checkin_reminder_at = None
    # An invite made while linked (at the very moment of linking) would come back to
    # life now: after unlinking, each of them invites afresh.
    _revoke_invites([m.user_id for m in couple.members], now)
    # Nothing still waiting to be pushed (held by quiet hours, or for a retry) arrives
    # from the former partner after this.
    withdraw_pending(user_ids=[m.user_id for m in couple.members], now=now)
    if erase:
        db.session.flush()
        erase_history([couple.id], now)
    days = int(current_app.config["COUPLE_RESTORE_DAYS"])
    with writing_to(pairing.partner):  # words to the one who did not unlink
        title = _("Your link has ended")
        if erase:
            body = _(
                "%(name)s ended your link in Couples. Your shared history is erased. Your"
                " own words stay with you under Account, and you can download them at any"
                " time.",
                name=user.display_name,
            )
        else:
            body = ngettext(
                "%(name)s ended your link in Couples. Your shared history is kept out of"
                " sight for %(num)d day, then erased. Your own words stay with you under"
                " Account, and you can download them at any time.",
                "%(name)s ended your link in Couples. Your shared history is kept out of"
                " sight for %(num)d days, then erased. Your own words stay with you under"
                " Account, and you can download them at any time.",
                days,
                name=user.display_name,
            )
    notify(
        user=pairing.partner,
        kind="couple_ended",
        # A couple can end more than once (it may be reopened in between).
        dedupe_key=f"couple:{couple.id}:{int(now.timestamp())}",
        title=title,
        body=body,
        url="/account/words",
        now=now,
        commit=False,
    )


def before_account_deleted(user: User, now: datetime) -> None:
    """Unlink first (the partner is told), then every former partner's notifications
    from the time they were linked stop naming the account. No couple of the account
    can be reopened any more: their shared histories are erased now. Not committed
    here: the deletion commits it all at once."""
    pairing = active_pairing(user)
    if pairing is not None:
        _end_couple(pairing=pairing, now=now, erase=True)
    mine, theirs = aliased(CoupleMember), aliased(CoupleMember)
    linked = db.session.execute(
        db.select(theirs.user_id, theirs.joined_at, theirs.left_at)
        .join(mine, (mine.couple_id == theirs.couple_id) & (mine.user_id != theirs.user_id))
        .where(mine.user_id == user.id)
    ).all()
    for partner_id, joined_at, left_at in linked:
        forget_name(
            user_id=partner_id, name=user.display_name, since=joined_at, until=left_at or now
        )
    erase_history(
        db.session.execute(
            db.select(CoupleMember.couple_id).where(CoupleMember.user_id == user.id)
        ).scalars(),
        now,
    )


def export(user: User) -> dict:
    memberships = db.session.execute(
        db.select(CoupleMember)
        .where(CoupleMember.user_id == user.id)
        .order_by(CoupleMember.joined_at)
    ).scalars()
    invites = db.session.execute(
        db.select(Invite).where(Invite.inviter_id == user.id).order_by(Invite.created_at)
    ).scalars()
    return {
        "couples": [
            {
                "id": str(m.couple_id),
                "linked_at": isoformat(m.joined_at),
                "ended_at": isoformat(m.left_at),
            }
            for m in memberships
        ],
        "invites": [
            {
                "code": i.code,
                "created_at": isoformat(i.created_at),
                "expires_at": isoformat(i.expires_at),
                "used_at": isoformat(i.used_at),
            }
            for i in invites
        ],
    }
