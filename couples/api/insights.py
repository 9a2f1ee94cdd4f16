import marshmallow as ma
from flask_smorest import Blueprint

from couples.clock import utcnow
from couples.i18n import N_
from couples.insights import services
from couples.validation import OneOf
from couples.web import couple_or_404

blp = Blueprint("api_insights", __name__, url_prefix="/api/v1", description="Insights")


class InsightsArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    days = ma.fields.Integer(
        load_default=30,
        validate=OneOf(services.PERIODS, error=N_("Choose 7, 30 or 90 days.")),
    )


class PairSeriesSchema(ma.Schema):
    me = ma.fields.List(ma.fields.Integer(allow_none=True), required=True)
    partner = ma.fields.List(ma.fields.Integer(allow_none=True), required=True)


class InsightsSchema(ma.Schema):
    days = ma.fields.Integer(required=True)
    dates = ma.fields.List(ma.fields.String(), required=True)
    needs_met = ma.fields.Nested(PairSeriesSchema, required=True)
    mood = ma.fields.Nested(PairSeriesSchema, required=True)
    love_languages_felt = ma.fields.Dict(required=True)
    top_love_language = ma.fields.Dict(required=True)
    turned_toward_checkins = ma.fields.Dict(required=True)
    bids = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    turned_toward_share = ma.fields.Float(allow_none=True, required=True)
    appreciations = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        required=True,
        metadata={"description": "{total, mine}: the couple's, and my own"},
    )
    positives = ma.fields.Integer(required=True)
    negatives = ma.fields.Integer(required=True)
    days_both_checked_in = ma.fields.Integer(required=True)
    repairs_made = ma.fields.Integer(
        required=True, metadata={"description": "Repairs whose plan was agreed in the period"}
    )
    top_language_felt = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())),
        required=True,
        metadata={
            "description": "me / partner: for each block of up to 30 days (oldest first), "
            "the evenings their stated top language was felt, of those answered"
        },
    )


@blp.route("/insights", methods=["GET"])
@blp.arguments(InsightsArgs, location="query")
@blp.response(200, InsightsSchema)
def insights(args):
    """The series behind the charts over my last 7, 30 or 90 local days (revealed
    check-ins only)."""
    data = services.insights(pairing=couple_or_404(), days=args["days"], now=utcnow())
    return {
        "days": data.days,
        "dates": [d.isoformat() for d in data.dates],
        "needs_met": data.needs_met,
        "mood": data.mood,
        "love_languages_felt": data.felt,
        "top_love_language": data.top,
        "turned_toward_checkins": data.turned_toward_checkins,
        "bids": data.bids,
        "turned_toward_share": data.toward_share,
        "appreciations": {
            "total": sum(data.appreciations.values()),
            "mine": data.appreciations["me"],
        },
        "positives": data.positives,
        "negatives": data.negatives,
        "days_both_checked_in": data.days_both,
        "repairs_made": data.repairs,
        "top_language_felt": {
            side: [{"felt": felt, "of": of} for felt, of in blocks]
            for side, blocks in data.top_felt.items()
        },
    }
