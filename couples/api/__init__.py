"""The JSON API under /api/v1: flask-smorest blueprints whose schemas both validate the
requests and generate the OpenAPI document at /api/v1/openapi.json."""

import http

import flask_smorest
from flask import Flask
from flask_smorest.spec import prepare_response

from couples.api.common import ProblemSchema
from couples.api.spec import ObjectRulesPlugin, field_rules


class CouplesApi(flask_smorest.Api):
    # Errors are answered by couples.errors for pages and API alike.
    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        # The error responses flask-smorest refers to by status name (422 for
        # @blp.arguments, ...) are problems too; only the ones referred to are emitted.
        for status in http.HTTPStatus:
            if status >= 400:
                response = {"description": status.phrase, "schema": ProblemSchema}
                prepare_response(response, self.spec, "application/problem+json")
                self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem (RFC 9457)", "schema": ProblemSchema}
        prepare_response(response, self.spec, "application/problem+json")
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


api = CouplesApi()


def init_app(app: Flask) -> None:
    from couples.api import (
        auth,
        checkins,
        connection,
        grow,
        insights,
        kept,
        lovelanguages,
        me,
        notifications,
        pairing,
        passkeys,
        promises,
        push,
        repairs,
        together,
    )

    api.init_app(
        app,
        spec_kwargs={
            "info": {"description": "Check-ins, appreciations and repair for two partners."},
            "extra_plugins": [ObjectRulesPlugin()],
        },
    )
    # Before the blueprints: their schemas are converted as they are registered.
    api.ma_plugin.converter.add_attribute_function(field_rules(app.config))
    api.spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": app.config["SESSION_COOKIE_NAME"]}
    )
    for module in (
        auth,
        me,
        passkeys,
        pairing,
        checkins,
        lovelanguages,
        connection,
        insights,
        repairs,
        kept,
        grow,
        promises,
        together,
        push,
        notifications,
    ):
        api.register_blueprint(module.blp)
    api.register_blueprint(passkeys.auth_blp)
