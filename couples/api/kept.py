"""Words kept for me: what I chose not to send after seeing where to find help."""

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint

from couples.api.common import IdPageArgs, accepts, load
from couples.clock import isoformat, utcnow
from couples.kept import services
from couples.kept.schemas import KeptIn

blp = Blueprint("api_kept", __name__, url_prefix="/api/v1", description="Words kept for me")


class KeptSchema(ma.Schema):
    id = ma.fields.String(required=True)
    source = ma.fields.String(required=True)
    text = ma.fields.String(required=True)
    kept_at = ma.fields.String(required=True)


class KeptListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(KeptSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


def kept_data(item) -> dict:
    return {
        "id": str(item.id),
        "source": item.source,
        "text": item.text,
        "kept_at": isoformat(item.created_at),
    }


@blp.route("/kept", methods=["POST"])
@blp.response(201, KeptSchema)
@accepts(blp, KeptIn)
def keep():
    """Keep words for me alone instead of sending them (after a 409
    ``/problems/safety-check``). Nothing reaches my partner."""
    body = load(KeptIn)
    item = services.keep(
        user=current_user, source=body["source"], text=body["text"].strip(), now=utcnow()
    )
    return kept_data(item)


@blp.route("/kept", methods=["GET"])
@blp.arguments(IdPageArgs, location="query")
@blp.response(200, KeptListSchema)
def listing(args):
    """My kept words, newest first. Only mine, ever."""
    before = int(args["cursor"]) if "cursor" in args else None
    items, cursor = services.listing(user=current_user, before_id=before, limit=args["limit"])
    return {"items": [kept_data(i) for i in items], "next_cursor": str(cursor) if cursor else None}
