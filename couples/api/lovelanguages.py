import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint

from couples.api.common import accepts, load
from couples.clock import isoformat, utcnow
from couples.i18n import N_, translated
from couples.lovelanguages import content, quiz, services
from couples.validation import Length, OneOf, Strict
from couples.web import current_pairing

blp = Blueprint(
    "api_love", __name__, url_prefix="/api/v1/love-languages", description="Love languages"
)

_LANGUAGE = OneOf(content.LANGUAGES, error=N_("Use words, acts, gifts, time or touch."))


class LoveProfileSchema(ma.Schema):
    ranking = ma.fields.List(ma.fields.String(), required=True)
    top = ma.fields.String(required=True)
    source = ma.fields.String(required=True)
    updated_at = ma.fields.String(required=True)
    counts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    tied = ma.fields.List(ma.fields.List(ma.fields.String()))


class LoveProfilesSchema(ma.Schema):
    me = ma.fields.Nested(LoveProfileSchema, allow_none=True, required=True)
    partner = ma.fields.Nested(LoveProfileSchema, allow_none=True, required=True)
    labels = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True)
    ideas = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()), required=True
    )


class OptionSchema(ma.Schema):
    language = ma.fields.String(required=True)
    text = ma.fields.String(required=True)


class PairSchema(ma.Schema):
    key = ma.fields.String(required=True)
    a = ma.fields.Nested(OptionSchema, required=True)
    b = ma.fields.Nested(OptionSchema, required=True)


class QuizSchema(ma.Schema):
    prompt = ma.fields.String(required=True)
    pairs = ma.fields.List(ma.fields.Nested(PairSchema), required=True)


class Choices(ma.fields.Dict):
    """The quiz's answers, checked when they are scored (lovelanguages.quiz)."""

    def openapi_properties(self, config) -> dict:
        return quiz.choices_schema()


class QuizAnswersSchema(Strict):
    choices = Choices(
        keys=ma.fields.String(validate=Length(max=100)),
        values=ma.fields.Raw(allow_none=True),
        required=True,
        validate=Length(max=100),
    )


class RankingSchema(Strict):
    ranking = ma.fields.List(
        ma.fields.String(validate=_LANGUAGE),
        required=True,
        validate=Length(equal=5, error=N_("Put all five in order.")),
        # Each once: services.set_ranking refuses a ranking that is not all five.
        metadata={"uniqueItems": True},
    )


def profile_data(profile, result=None) -> dict | None:
    if profile is None:
        return None
    data = {
        "ranking": list(profile.ranking),
        "top": profile.ranking[0],
        "source": profile.source,
        "updated_at": isoformat(profile.updated_at),
    }
    if result is not None:
        data["counts"], data["tied"] = result.counts, [list(t) for t in result.tied]
    return data


def _profiles() -> dict:
    me, pairing = current_user._get_current_object(), current_pairing()
    partner = pairing.partner if pairing else None
    found = services.profiles([me.id] + ([partner.id] if partner else []))
    return {
        "me": profile_data(found.get(me.id)),
        "partner": profile_data(found.get(partner.id)) if partner else None,
        "labels": {k: translated(label) for k, label in content.LANGUAGE_LABELS.items()},
        "ideas": {k: [translated(idea) for idea in v] for k, v in content.IDEAS.items()},
    }


@blp.route("", methods=["GET"])
@blp.response(200, LoveProfilesSchema)
def get_profiles():
    """My love-language profile and my partner's, with ideas for small moves."""
    return _profiles()


@blp.route("", methods=["PUT"])
@blp.response(200, LoveProfileSchema)
@accepts(blp, RankingSchema)
def put_ranking():
    """Set my ranking by hand: all five languages, most important first."""
    body = load(RankingSchema)
    return profile_data(
        services.set_ranking(
            user=current_user._get_current_object(), ranking=body["ranking"], now=utcnow()
        )
    )


@blp.route("/quiz", methods=["GET"])
@blp.response(200, QuizSchema)
def get_quiz():
    """The quiz: pairs of moments; choose the one that would mean more."""
    return {
        "prompt": translated(content.QUIZ_PROMPT),
        "pairs": [
            {
                "key": p.key,
                "a": {"language": p.a.language, "text": translated(p.a.text)},
                "b": {"language": p.b.language, "text": translated(p.b.text)},
            }
            for p in content.QUIZ
        ],
    }


@blp.route("/quiz", methods=["POST"])
@blp.response(200, LoveProfileSchema)
@accepts(blp, QuizAnswersSchema)
def post_quiz():
    """Score my answers (``{"choices": {pair key: "a" | "b"}}``, every pair) into my
    ranking."""
    body = load(QuizAnswersSchema)
    profile, result = services.take_quiz(
        user=current_user._get_current_object(), choices=body["choices"], now=utcnow()
    )
    return profile_data(profile, result)
