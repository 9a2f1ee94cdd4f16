"""The JSON API under /api/v1: flask-smorest blueprints whose schemas both validate the
requests and generate the OpenAPI document at /api/v1/openapi.json.

Its words for reading are in the reader's language, as the pages are: labels, prompts,
questions, hints, titles and details, the waiting list, a problem's ``title``,
``detail`` and per-field messages. That language is the account's choice, else the
best of the browser's ``Accept-Language`` among the offered ones, else English
(``couples.i18n.select_locale``), and every answer names it in ``Content-Language``
(``couples.i18n.name_the_language``).
Keys, codes, enum values, ids and what people wrote never change with it. Words kept
in English (marked ``N_``) are turned into the reader's as the answer is made, with
``translated`` (a problem's in ``couples.errors.problem``). The OpenAPI document's
descriptions stay English: they are for developers."""

import http

import flask_smorest
from flask import Flask, request
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
# flask-smorest's blueprint for the OpenAPI document.
OPENAPI_BLUEPRINT = "api-docs"


def _documents_in_english(response):
    """The OpenAPI document's descriptions are for developers, in English."""
    if request.blueprint == OPENAPI_BLUEPRINT and response.status_code < 400:
        response.headers["Content-Language"] = "en"
    return response


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
    app.after_request(_documents_in_english)
