"""Plain dicts for the response schemas, built from models."""

from couples.accounts.models import User
from couples.clock import isoformat
from couples.pairing.models import Invite
from couples.pairing.services import Pairing


def user_data(user: User) -> dict:
    return {
        "id": str(user.id),
        "email": user.email,
        "display_name": user.display_name,
        "timezone": user.timezone,
        "language": user.language,
        "created_at": isoformat(user.created_at),
    }


def partner_data(partner: User) -> dict:
    return {"display_name": partner.display_name, "timezone": partner.timezone}


def couple_data(pairing: Pairing) -> dict:
    return {
        "id": str(pairing.couple.id),
        "linked_at": isoformat(pairing.couple.created_at),
        "partner": partner_data(pairing.partner),
    }


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def notification_prefs(user: User) -> dict:
    from couples.notifications.kinds import USER_KINDS

    off = set(user.kinds_off or [])
    return {
        "reminder_time": clock(user.reminder_minute),
        "quiet_hours": {
            "start": clock(user.quiet_start_minute),
            "end": clock(user.quiet_end_minute),
        },
        "discreet": user.discreet,
        "kinds": {kind.name: kind.name not in off for kind in USER_KINDS},
    }


def me_data(user: User, pairing: Pairing | None) -> dict:
    return {
        "user": user_data(user),
        "notifications": notification_prefs(user),
        "couple": couple_data(pairing) if pairing else None,
        "partner": partner_data(pairing.partner) if pairing else None,
    }


def invite_data(invite: Invite, base_url: str) -> dict:
    return {
        "code": invite.code,
        "url": f"{base_url}/join/{invite.code}",
        "expires_at": isoformat(invite.expires_at),
    }
