"""What every API module shares: body loading, the problem schema, marks on views."""

import marshmallow as ma
from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from couples import validation
from couples.errors import Invalid
from couples.validation import Range, validate

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ProblemSchema(ma.Schema):
    type = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String()
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()))
    # A safety check (409 /problems/safety-check, couples/safetycheck.py): which fields
    # touched which topics, and where help is.
    fields = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Safety check only: each field concerned and its topics."},
    )
    resources = ma.fields.Dict(
        metadata={"description": "Safety check only: the help lines and pages to show first."}
    )


class FreeFormSchema(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE


ID = [validation.ID]


class IdPageArgs(ma.Schema):
    """A page of a list: ``cursor`` (the id the previous page ended at), ``limit``."""

    class Meta:
        unknown = ma.EXCLUDE

    cursor = ma.fields.String(validate=ID)
    limit = ma.fields.Integer(load_default=30, validate=Range(min=1, max=100))


def public(fn):
    """Mark an API view as open to anonymous callers."""
    fn._public = True
    return fn


def accepts(blp, schema_cls):
    """Document ``schema_cls`` as the view's JSON body. The view loads it with
    ``load(schema_cls)`` once it has made the checks that come before validation."""

    # A missing body is read as {}: the body is required when the schema refuses {} (a
    # required field, or a rule such as "this field or that one").
    required = bool(schema_cls().validate({}))

    def decorator(fn):
        fn._body_schema = schema_cls
        return blp.doc(
            requestBody={
                "required": required,
                "content": {"application/json": {"schema": schema_cls}},
            }
        )(fn)

    return decorator


def read_json_body() -> None:
    """Run before the view for unsafe API requests: 415 for a body that is not JSON, 400
    for JSON that cannot be parsed. Validation against the schema (422) comes later."""
    if not request.content_length and not request.data:
        return
    if not request.is_json:
        raise UnsupportedMediaType(_("Send JSON with Content-Type: application/json."))
    try:
        request.get_json(force=False, silent=False, cache=True)
    except BadRequest:
        raise BadRequest(_("The body is not valid JSON.")) from None
    except RecursionError:
        # Python's json module gives up on deeply nested arrays or objects.
        raise BadRequest(_("The body is nested too deeply.")) from None


def no_body() -> None:
    """For unsafe routes that take no body: an empty object (or nothing) is fine, any
    field is unknown (422)."""
    data = request.get_json(silent=True, cache=True) if request.data else {}
    if data in ({}, None):
        return
    if isinstance(data, dict):
        raise Invalid(errors={str(key)[:100]: [_("Unknown field.")] for key in list(data)[:20]})
    raise Invalid(errors={"body": [_("This request takes no body.")]})


def load(schema_cls, *, partial: bool = False) -> dict:
    """The request's JSON body validated by ``schema_cls``; 422 with per-field messages."""
    # No body at all reads as {}; a body of JSON null is not an object and is refused.
    data = request.get_json(silent=True, cache=True) if request.data else {}
    return validate(schema_cls, data, partial=partial)
