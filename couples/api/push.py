import marshmallow as ma
from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from couples.api.common import accepts, load, no_body, public
from couples.clock import utcnow
from couples.errors import NotFound
from couples.i18n import N_
from couples.notifications import services
from couples.validation import Length, Text

blp = Blueprint("api_push", __name__, url_prefix="/api/v1/push", description="Web Push")

_B64URL = ma.validate.Regexp(r"^[A-Za-z0-9_-]+={0,2}$", error=N_("Must be base64url."))


class KeysSchema(ma.Schema):
    # Browsers may add fields to a PushSubscription: extra fields are ignored here.
    class Meta:
        unknown = ma.EXCLUDE

    p256dh = ma.fields.String(required=True, validate=[Length(min=80, max=100), _B64URL])
    auth = ma.fields.String(required=True, validate=[Length(min=16, max=30), _B64URL])


class PushEndpoint(Text):
    """An endpoint on a push service of the allow-list (a setting, so the document states
    each app's own): services.subscribe refuses any other."""

    def openapi_properties(self, config) -> dict:
        allowed = config.get("PUSH_ALLOWED_ENDPOINTS") or services.DEFAULT_ALLOWED_ENDPOINTS
        return {"pattern": services.endpoint_pattern(tuple(allowed))}


class SubscriptionSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    endpoint = PushEndpoint(required=True, min_length=10, max_length=1024)
    expirationTime = ma.fields.Float(allow_none=True, load_default=None)  # noqa: N815
    keys = ma.fields.Nested(KeysSchema, required=True)


class EndpointSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    endpoint = Text(required=True, min_length=1, max_length=1024)


class VapidKeySchema(ma.Schema):
    key = ma.fields.String(required=True)


class SubscriptionOutSchema(ma.Schema):
    id = ma.fields.String(required=True)
    endpoint = ma.fields.String(required=True)
    created_at = ma.fields.String(required=True)


class QueuedSchema(ma.Schema):
    queued = ma.fields.Integer(required=True)


def _out(subscription):
    return {
        "id": str(subscription.id),
        "endpoint": subscription.endpoint,
        "created_at": subscription.created_at.isoformat(),
    }


@blp.route("/vapid-public-key", methods=["GET"])
@blp.response(200, VapidKeySchema)
@public
def vapid_public_key():
    """The application server key for PushManager.subscribe (base64url, no padding)."""
    key = current_app.config.get("VAPID_PUBLIC_KEY")
    if not key:
        raise NotFound(_("Push is not set up on this server."))
    return {"key": key}


@blp.route("/subscriptions", methods=["POST"])
@blp.response(201, SubscriptionOutSchema)
@blp.alt_response(200, schema=SubscriptionOutSchema, description="Updated")
@accepts(blp, SubscriptionSchema)
def subscribe():
    """Store this browser's PushSubscription (the same endpoint again updates it: 200;
    an endpoint another account has: 409)."""
    data = load(SubscriptionSchema)
    subscription, created = services.subscribe(
        user=current_user._get_current_object(),
        endpoint=data["endpoint"],
        p256dh=data["keys"]["p256dh"],
        auth=data["keys"]["auth"],
        user_agent=request.headers.get("User-Agent"),
    )
    return _out(subscription), 201 if created else 200


@blp.route("/subscriptions", methods=["DELETE"])
@blp.response(204)
@accepts(blp, EndpointSchema)
def unsubscribe():
    """Forget a subscription of mine by its endpoint."""
    data = load(EndpointSchema)
    services.unsubscribe(user=current_user._get_current_object(), endpoint=data["endpoint"])


@blp.route("/test", methods=["POST"])
@blp.response(202, QueuedSchema)
def test_push():
    """A test push to each of my devices now."""
    no_body()
    return {"queued": services.send_test(user=current_user._get_current_object(), now=utcnow())}
