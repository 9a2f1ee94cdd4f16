"""What each step of a repair accepts: the same schemas check the pages and the API."""

import marshmallow as ma

from couples.i18n import N_
from couples.repair import content, machine
from couples.safetycheck import SendAnyway
from couples.validation import Flag, Length, OneOf, Range, Strict, Text, WholeNumber

ROLES = ("apologizing", "hurt")
FOLLOW_UP_DAYS = [3, 7]
MAX_COMMITMENTS = 5


def Written(max_length: int = 2000, **kwargs):
    """A required answer in one's own words: not only spaces."""
    return Text(
        max_length=max_length,
        min_length=1,
        multiline=True,
        required=True,
        blank=N_("Please fill this in."),
        **kwargs,
    )


class OpenIn(Strict):
    title = Text(max_length=120, min_length=1, required=True, blank=N_("Please fill this in."))
    role = ma.fields.String(
        required=True, validate=OneOf(ROLES, error=N_("Choose apologizing or hurt."))
    )
    kind = ma.fields.String(
        load_default="everyday",
        validate=OneOf(["everyday", "trust"], error=N_("Choose everyday or trust.")),
        metadata={
            "description": "trust: a breach of trust, repaired over weeks (questions, weekly "
            "trust check-ins, help offered from the start)"
        },
    )
    send_anyway = SendAnyway()


class QuestionIn(Strict):
    question = Written(1000)
    send_anyway = SendAnyway()


class QuestionAnswerIn(Strict):
    answer = Written(2000)
    send_anyway = SendAnyway()


class TrustWeeksIn(Strict):
    weeks = WholeNumber(
        required=True,
        validate=OneOf([4, 6, 8, 12], error=N_("Choose 4, 6, 8 or 12 weeks.")),
        error_messages={"required": N_("Choose how many weeks.")},
    )


class TrustCheckIn(Strict):
    score = WholeNumber(
        required=True,
        validate=Range(min=1, max=5, error=N_("Choose from 1 to 5.")),
        error_messages={"required": N_("Choose from 1 to 5.")},
    )
    note = Text(max_length=1000, multiline=True, allow_none=True)


class ReadyIn(Strict):
    view = ma.fields.String(
        validate=OneOf(list(machine.VIEWS), error=N_("Choose hurt, apologizing or both.")),
        metadata={
            "description": "How I see my part: hurt (I'm the one who was hurt), apologizing "
            "(I want to make it right) or both (we both are). Required from the partner "
            "who did not open the repair, the first time; while the two views differ "
            "either may send it again to settle who goes first. Ignored once settled."
        },
    )


class Feeling(ma.fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        word = content.clean_feeling(super()._deserialize(value, attr, data, **kwargs))
        if word is None:
            raise ma.ValidationError(N_("Use a feeling word: letters only, up to 30."))
        return word


class HearingIn(Strict):
    feelings = ma.fields.List(
        Feeling(),
        required=True,
        validate=Length(min=1, max=10, error=N_("Pick between one and ten feelings.")),
    )
    i_feel = Written(300)
    when = Written(500)
    because = Text(max_length=500, multiline=True, load_default="")
    i_need = Written(500)
    need_now = ma.fields.String(
        required=True,
        validate=OneOf(
            list(content.NEEDS_NOW), error=N_("Choose space, talk, reassurance or closeness.")
        ),
    )
    send_anyway = SendAnyway()


class ApologyIn(Strict):
    acknowledgement = Written()
    empathy = Written()
    restitution = Written()
    send_anyway = SendAnyway()


class ReflectIn(Strict):
    """The apologizing partner, before any apology: what I heard, in my own words."""

    what_i_heard = Written(2000)
    send_anyway = SendAnyway()


class ReflectConfirmIn(Strict):
    """The hurt partner: "yes, that's it", or what was missed."""

    # The rules of _shape: that's it, with nothing (or only spaces) missed; or not quite,
    # saying what was missed.
    json_schema = {
        "anyOf": [
            {
                "properties": {
                    "thats_it": {"const": True},
                    "missed": {"anyOf": [{"type": "null"}, {"pattern": r"^\s*$"}]},
                }
            },
            {
                "required": ["missed"],
                "properties": {
                    "thats_it": {"const": False},
                    "missed": {"type": "string", "pattern": r"\S"},
                },
            },
        ]
    }

    thats_it = Flag(
        required=True, error_messages={"required": N_("Say whether this is what you meant.")}
    )
    missed = Text(max_length=2000, multiline=True, allow_none=True)
    send_anyway = SendAnyway()

    @ma.validates_schema
    def _shape(self, data, **kwargs):
        if "thats_it" not in data:
            return
        missed = (data.get("missed") or "").strip()
        if data["thats_it"] is False and not missed:
            raise ma.ValidationError(N_("Say what was missed, in a few words."), "missed")
        if data["thats_it"] is True and missed:
            raise ma.ValidationError(N_("Only when something was missed."), "missed")


class ResponseStepIn(Strict):
    # The rules of _shape: heard, with nothing (or only spaces) missing; or not heard yet,
    # saying what is missing, and not forgiving yet.
    json_schema = {
        "anyOf": [
            {
                "properties": {
                    "heard": {"const": True},
                    "missing": {"anyOf": [{"type": "null"}, {"pattern": r"^\s*$"}]},
                }
            },
            {
                "required": ["missing"],
                "properties": {
                    "heard": {"const": False},
                    "missing": {"type": "string", "pattern": r"\S"},
                    "forgive": {"enum": [False, None]},
                },
            },
        ]
    }

    heard = Flag(required=True, error_messages={"required": N_("Say whether you feel heard.")})
    missing = Text(max_length=2000, multiline=True, allow_none=True)
    forgive = Flag(allow_none=True, load_default=None)
    send_anyway = SendAnyway()

    @ma.validates_schema
    def _shape(self, data, **kwargs):
        if "heard" not in data:
            return
        missing = (data.get("missing") or "").strip()
        if data["heard"] is False and not missing:
            raise ma.ValidationError(N_("Say what is still missing, in a few words."), "missing")
        if data["heard"] is True and missing:
            raise ma.ValidationError(N_("Only when you do not feel heard yet."), "missing")
        if data["heard"] is False and data.get("forgive") is True:
            raise ma.ValidationError(N_("Forgiving can wait until you feel heard."), "forgive")


class CommitmentIn(Strict):
    text = Written(500)
    owner = ma.fields.String(
        required=True,
        validate=OneOf(["me", "partner"], error=N_("Choose me or partner.")),
    )
    follow_up_days = ma.fields.List(
        ma.fields.Integer(
            strict=True,
            validate=Range(min=1, max=60, error=N_("Use a number of days from 1 to 60.")),
        ),
        load_default=lambda: list(FOLLOW_UP_DAYS),
        validate=Length(min=1, max=3, error=N_("Pick one to three follow-up days.")),
    )

    @ma.post_load
    def _sorted(self, data, **kwargs):
        data["follow_up_days"] = sorted(set(data["follow_up_days"]))
        return data


class PlanIn(Strict):
    my_part = Written()
    commitments = ma.fields.List(
        ma.fields.Nested(CommitmentIn),
        load_default=list,
        validate=Length(
            max=MAX_COMMITMENTS,
            error=N_("Keep it to five commitments or fewer."),  # MAX_COMMITMENTS
        ),
    )
    send_anyway = SendAnyway()


class ChooseIn(Strict):
    choice = Written(300)
    send_anyway = SendAnyway()


class ConfirmIn(Strict):
    confirmed = Flag(required=True, error_messages={"required": N_("Say yes or not this one.")})
    instead = Text(
        max_length=300,
        multiline=True,
        allow_none=True,
        metadata={
            "description": "With confirmed false: what I would like instead, in a few words "
            "(optional); my partner reads it when choosing again."
        },
    )

    @ma.validates_schema
    def _instead_only_when_not(self, data, **kwargs):
        if data.get("confirmed") is True and (data.get("instead") or "").strip():
            raise ma.ValidationError(N_("Only when asking for something else."), "instead")


class PauseIn(Strict):
    minutes = ma.fields.Integer(
        strict=True,
        required=True,
        validate=Range(
            min=content.PAUSE_MIN_MINUTES,
            max=content.PAUSE_MAX_MINUTES,
            error=N_("Choose between 20 minutes and 24 hours."),
        ),
    )


class CloseIn(Strict):
    note = Text(max_length=1000, multiline=True, allow_none=True)
    send_anyway = SendAnyway()


class FollowUpIn(Strict):
    outcome = ma.fields.String(
        required=True,
        validate=OneOf(["kept", "partly", "not"], error=N_("Choose kept, partly or not.")),
    )
    note = Text(max_length=1000, multiline=True, allow_none=True)
    send_anyway = SendAnyway()


class ApologyCheckIn(Strict):
    # The whole text, or one or more of its parts (the rule of _one_form).
    json_schema = {
        "oneOf": [
            {"required": ["text"]},
            {
                "anyOf": [
                    {"required": [part]} for part in ("acknowledgement", "empathy", "restitution")
                ]
            },
        ]
    }

    text = Text(max_length=6000, multiline=True)
    acknowledgement = Text(max_length=2000, multiline=True)
    empathy = Text(max_length=2000, multiline=True)
    restitution = Text(max_length=2000, multiline=True)
    feelings = ma.fields.List(ma.fields.String(validate=Length(max=30)), validate=Length(max=20))

    @ma.validates_schema
    def _one_form(self, data, **kwargs):
        parts = {"acknowledgement", "empathy", "restitution"} & set(data)
        if "text" in data and parts:
            raise ma.ValidationError(N_("Send the whole text or its parts, not both."), "text")
        if "text" not in data and not parts:
            raise ma.ValidationError(N_("Send the apology to check."), "text")


STEP_SCHEMAS = {
    "ready": ReadyIn,
    "hearing": HearingIn,
    "reflect": ReflectIn,
    "reflect_confirm": ReflectConfirmIn,
    "apology": ApologyIn,
    "response": ResponseStepIn,
    "plan": PlanIn,
    "reconnect_choose": ChooseIn,
    "reconnect_confirm": ConfirmIn,
}
