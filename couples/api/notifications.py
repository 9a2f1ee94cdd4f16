import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint

from couples.api.common import ID, IdPageArgs, accepts, load
from couples.clock import isoformat, utcnow
from couples.notifications import services
from couples.validation import Length, Strict

blp = Blueprint(
    "api_notifications",
    __name__,
    url_prefix="/api/v1/notifications",
    description="The in-app inbox",
)


class NotificationSchema(ma.Schema):
    id = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    body = ma.fields.String(required=True)
    url = ma.fields.String(required=True)
    created_at = ma.fields.String(required=True)
    read = ma.fields.Boolean(required=True)


class NotificationListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(NotificationSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)
    unread = ma.fields.Integer(required=True)


class ReadSchema(Strict):
    ids = ma.fields.List(ma.fields.String(validate=ID), validate=Length(max=500), load_default=None)


class ReadResultSchema(ma.Schema):
    marked = ma.fields.Integer(required=True)


@blp.route("", methods=["GET"])
@blp.arguments(IdPageArgs, location="query")
@blp.response(200, NotificationListSchema)
def inbox(args):
    """My notifications, newest first."""
    me = current_user._get_current_object()
    before = int(args["cursor"]) if args.get("cursor") else None
    notes, cursor = services.inbox(user_id=me.id, before_id=before, limit=args["limit"])
    items = [
        {
            "id": str(n.id),
            "kind": n.kind,
            "title": n.title,
            "body": n.body,
            "url": n.url,
            "created_at": isoformat(n.created_at),
            "read": n.read_at is not None,
        }
        for n in notes
    ]
    return {
        "items": items,
        "next_cursor": str(cursor) if cursor else None,
        "unread": services.unread_count(user_id=me.id),
    }


@blp.route("/read", methods=["POST"])
@blp.response(200, ReadResultSchema)
@accepts(blp, ReadSchema)
def mark_read():
    """Mark some (``ids``) or all of my notifications read."""
    data = load(ReadSchema)
    ids = [int(i) for i in data["ids"]] if data.get("ids") is not None else None
    return {"marked": services.mark_read(user_id=current_user.id, ids=ids, now=utcnow())}
