import marshmallow as ma
from flask import Response, current_app, json
from flask_login import current_user
from flask_smorest import Blueprint

from couples.accounts import services, sessions, web
from couples.accounts.schemas import (
    DeleteSchema,
    ExportSchema,
    PasswordChangeSchema,
    ProfileSchema,
    minutes,
)
from couples.api.common import FreeFormSchema, accepts, load, no_body
from couples.api.serializers import MeSchema
from couples.api.views_data import me_data
from couples.clock import isoformat, utcnow
from couples.pwa import CLEAR_SITE_DATA
from couples.web import current_pairing

blp = Blueprint("api_me", __name__, url_prefix="/api/v1/me", description="My account")


def set_notification_prefs(user, prefs: dict) -> None:
    """Apply the API's notification settings (clock strings, kind switches)."""
    from couples.notifications.services import update_preferences

    quiet = prefs.get("quiet_hours") or {}
    kinds = prefs.get("kinds")
    kinds_off = None
    if kinds is not None:
        current = set(user.kinds_off or [])
        kinds_off = sorted(
            (current | {k for k, on in kinds.items() if not on})
            - {k for k, on in kinds.items() if on}
        )
    update_preferences(
        user=user,
        now=utcnow(),
        commit=False,
        reminder_minute=minutes(prefs["reminder_time"]) if "reminder_time" in prefs else None,
        quiet_start_minute=minutes(quiet["start"]) if quiet else None,
        quiet_end_minute=minutes(quiet["end"]) if quiet else None,
        discreet=prefs.get("discreet"),
        kinds_off=kinds_off,
    )


def _me():
    return current_user._get_current_object()


def _me_response(user, pairing) -> Response:
    """The ``MeSchema`` answer. ``me_data`` already builds exactly what ``MeSchema``
    dumps (its fields, as strings, booleans and nested dicts), so the view returns the
    JSON itself and flask-smorest passes it on without a marshmallow pass; the schema
    still documents the response."""
    return current_app.json.response(me_data(user, pairing))


@blp.route("", methods=["GET"])
@blp.response(200, MeSchema)
def get_me():
    """Me, my couple and my partner (by display name and time zone only)."""
    return _me_response(_me(), current_pairing())


@blp.route("", methods=["PATCH"])
@blp.response(200, MeSchema)
@accepts(blp, ProfileSchema)
def patch_me():
    """Change my display name or time zone."""
    user = _me()
    data = load(ProfileSchema)
    prefs = data.pop("notifications", None)
    if prefs is not None:
        set_notification_prefs(user, prefs)
    services.update_profile(user=user, **data)
    return _me_response(user, current_pairing())


@blp.route("/password", methods=["POST"])
@blp.response(200, MeSchema)
@accepts(blp, PasswordChangeSchema)
def change_password():
    """Change my password; every other session ends."""
    user = _me()
    data = load(PasswordChangeSchema)
    web.with_current_password(
        user, "current_password", lambda: services.change_password(user=user, **data)
    )
    return _me_response(user, current_pairing())


@blp.route("/export", methods=["POST"])
@blp.response(200, FreeFormSchema)
@accepts(blp, ExportSchema)
def export():
    """Everything I wrote or set, as JSON. Asks for my password (or a passkey's answer to
    `POST /me/passkey-options/confirm`) every time; wrong ones count against my
    account's login limit (429 when over)."""
    user = _me()
    data = web.export_data(user=user, **load(ExportSchema))
    return Response(
        json.dumps(data, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="couples-export.json"'},
    )


@blp.route("", methods=["DELETE"])
@blp.response(204)
@accepts(blp, DeleteSchema)
def delete_me():
    """Delete my account (unlinks first). My partner keeps their own entries. My
    password, or a passkey's answer to `POST /me/passkey-options/confirm`, confirms it."""
    user = _me()
    data = load(DeleteSchema)
    web.with_current_password(
        user, "password", lambda: services.delete_account(user=user, now=utcnow(), **data)
    )
    web.end_session()
    return None, {"Clear-Site-Data": CLEAR_SITE_DATA}


class DeviceSchema(ma.Schema):
    id = ma.fields.String(required=True)
    device = ma.fields.String(required=True, metadata={"description": 'e.g. "Safari on iPhone"'})
    created_at = ma.fields.String(required=True)
    last_seen_at = ma.fields.String(
        required=True, metadata={"description": "Noted at most once an hour."}
    )
    current = ma.fields.Boolean(required=True, metadata={"description": "This session."})


class DevicesSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(DeviceSchema), required=True)


@blp.route("/sessions", methods=["GET"])
@blp.response(200, DevicesSchema)
def list_sessions():
    """The devices signed in to my account, the most recently used first."""
    user = _me()
    return {
        "items": [
            {
                "id": record.public_id,
                "device": record.device,
                "created_at": isoformat(record.created_at),
                "last_seen_at": isoformat(record.last_seen_at),
                "current": sessions.is_current(record, user),
            }
            for record in sessions.live_sessions(user=user, now=utcnow())
        ]
    }


@blp.route("/sessions/<session_id>", methods=["DELETE"])
@blp.response(204)
def sign_out_session(session_id: str):
    """Sign out one device (404 when it is not signed in to my account). Signing out this
    one logs me out."""
    no_body()
    if sessions.sign_out(user=_me(), public_id=session_id):
        web.end_session()
        return None, {"Clear-Site-Data": CLEAR_SITE_DATA}
    return None


class WaitingItemSchema(ma.Schema):
    kind = ma.fields.String(
        required=True,
        metadata={"description": "repair, bid, checkin, appreciation or reaction"},
    )
    title = ma.fields.String(required=True)
    detail = ma.fields.String(required=True)
    url = ma.fields.String(required=True, metadata={"description": "Where to act on it."})
    at = ma.fields.String(required=True, metadata={"description": "When my partner did it."})


class WaitingSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(WaitingItemSchema), required=True)
    count = ma.fields.Integer(required=True)


@blp.route("/waiting", methods=["GET"])
@blp.response(200, WaitingSchema)
def get_waiting():
    """What my partner did that waits for me, newest first (empty when not linked): the
    home page's list, and the count for the Inbox link and the app's icon."""
    from couples import waiting

    pairing = current_pairing()
    items = waiting.waiting(pairing=pairing, now=utcnow()) if pairing is not None else []
    return {
        "items": [
            {
                "kind": i.kind,
                "title": i.title,
                "detail": i.detail,
                "url": i.url,
                "at": isoformat(i.at),
            }
            for i in items
        ],
        "count": len(items),
    }
