"""What the OpenAPI document states beyond each field's own properties.

Two kinds of rule need more than a marshmallow field converted by apispec:

- a field whose rule comes from the app's configuration (a new password's minimum length,
  the push services' allow-list) or is checked by a service rather than by marshmallow
  (the quiz's pairs, a check-in's answers) has an ``openapi_properties(config)`` method:
  the document gets what it returns for that app, over what apispec made of the field;
- a rule between fields of one object ("a preset or your own words", "the whole text or
  its parts") is declared on the schema class as ``json_schema`` (JSON Schema keywords
  such as ``anyOf`` or ``oneOf``), next to the validator that checks it, and is added to
  the schema's component."""

from apispec import BasePlugin


def field_rules(config):
    """An apispec attribute function (run after apispec's own): a field's
    ``openapi_properties`` for ``config``."""

    def couples_openapi_properties(self, field, **kwargs) -> dict:
        properties = getattr(field, "openapi_properties", None)
        return properties(config) if properties else {}

    return couples_openapi_properties


class ObjectRulesPlugin(BasePlugin):
    """Adds a schema class's ``json_schema`` to its component."""

    def schema_helper(self, name, definition, **kwargs):
        schema = kwargs.get("schema")
        extra = getattr(schema, "json_schema", None)
        return dict(extra) if extra else None
