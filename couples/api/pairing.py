from flask_login import current_user
from flask_smorest import Blueprint

from couples.api.common import no_body
from couples.api.serializers import InviteSchema, PairingSchema
from couples.api.views_data import couple_data, invite_data, partner_data
from couples.clock import utcnow
from couples.links import public_origin
from couples.pairing import services

blp = Blueprint("api_pairing", __name__, url_prefix="/api/v1", description="Pairing")


def _me():
    return current_user._get_current_object()


@blp.route("/invites", methods=["POST"])
@blp.response(201, InviteSchema)
def create_invite():
    """A single-use invite for my partner, valid 48 hours (409 when already linked)."""
    no_body()
    invite = services.create_invite(user=_me(), now=utcnow())
    return invite_data(invite, public_origin())


@blp.route("/invites/<code>/accept", methods=["POST"])
@blp.response(200, PairingSchema)
def accept_invite(code: str):
    """Link with the invite's author."""
    services.find_invite(code=code)  # 404 comes before a refused body
    no_body()
    pairing = services.accept_invite(user=_me(), code=code, now=utcnow())
    return {"couple": couple_data(pairing), "partner": partner_data(pairing.partner)}


@blp.route("/couple", methods=["DELETE"])
@blp.response(204)
def unlink():
    """End the link, without the partner's approval."""
    services.require_pairing(_me())
    no_body()
    services.unlink(user=_me(), now=utcnow())
