"""Account pages: register, log in, settings, password reset, export, delete."""

import re
from urllib.parse import urlsplit

from flask import Blueprint, Response, flash, json, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import ImmutableMultiDict

from couples import drafts
from couples.accounts import schemas, services, sessions, web
from couples.clock import known_timezones, local_date, utcnow
from couples.errors import DomainError, Invalid, WrongCredentials
from couples.grow.services import todays_prompt
from couples.notifications.services import unread_of_kind
from couples.pairing import services as pairing_services
from couples.pwa import CLEAR_SITE_DATA
from couples.validation import validate
from couples.web import current_pairing, form_data, me

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site; never an address elsewhere."""
    if not target:
        return url_for("accounts.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("accounts.home")
    return target


_JOIN = re.compile(r"^/join/([0-9A-Za-z-]{1,40})$")


def _invited(target: str | None) -> dict:
    """On the sign-up page an invite link led to: who invited them, or that the invite
    can no longer link (``invited_by`` None)."""
    found = _JOIN.match(target or "")
    if found is None:
        return {"from_invite": False, "invited_by": None}
    name = pairing_services.inviter_for_signup(code=found.group(1), now=utcnow())
    return {"from_invite": True, "invited_by": name}


def _timezones():
    return sorted(known_timezones())


def _render_form(template: str, error: DomainError | None = None, status: int = 200, **context):
    errors = error.errors or {} if error else {}
    message = error.detail if error and not errors else None
    if error is not None:
        status = error.status
    headers = error.headers if error else {}
    form = request.form
    if error is None:  # the page itself: a refused form of it may have been kept
        form, errors, message = drafts.restore()
    return (
        render_template(
            template,
            errors=errors,
            message=message,
            form=form,
            timezones=_timezones(),
            **context,
        ),
        status,
        headers,
    )


def _refuse(to: str, error: DomainError, *, keep_words: bool = True):
    """Back to the form's own page with the messages (and, unless ``keep_words`` is
    false, what was written, passwords aside): a reload there sends nothing again."""
    return drafts.refuse(
        to,
        errors=error.errors,
        notice=None if error.errors else error.detail,
        form=None if keep_words else ImmutableMultiDict(),
    )


def _with_next(endpoint: str) -> str:
    """The page of ``endpoint``, carrying the form's ``next`` along."""
    target = request.form.get("next")
    return url_for(endpoint, next=target) if target else url_for(endpoint)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return render_template("accounts/welcome.html")
    notices = unread_of_kind(user_id=me().id, kind="couple_ended")
    pairing = current_pairing()
    checkins, together, today, waiting_items = [], 0, None, []
    if pairing is not None:
        from couples import waiting
        from couples.checkins import services as checkin_services

        now = utcnow()
        checkins, together = checkin_services.open_checkins(pairing=pairing, now=now)
        today = local_date(now, pairing.me.timezone)
        waiting_items = waiting.waiting(pairing=pairing, now=now, open_checkins=checkins)
    page = render_template(
        "accounts/home.html",
        pairing=pairing,
        notices=notices,
        checkins=checkins,
        together=together,
        today=today,
        waiting=waiting_items,
        prompt=todays_prompt(user=me(), now=utcnow()),
    )
    return page


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    if request.method == "GET":
        target = request.args.get("next")
        return _render_form("accounts/register.html", next=target, **_invited(target))
    try:
        web.throttled("REGISTER_LIMIT_PER_ADDRESS")
        user = services.register(**validate(schemas.RegisterSchema, _without_next()))
    except Invalid as error:
        return _refuse(_with_next("accounts.register"), error)
    except DomainError as error:
        target = request.form.get("next")
        return _render_form("accounts/register.html", error, next=target, **_invited(target))
    web.start_session(user, remember=False)
    flash(_("Welcome, %(name)s.", name=user.display_name), "success")
    return redirect(
        _safe_next(request.form.get("next"))
        if request.form.get("next")
        else url_for("pairing.pair")
    )


def _without_next() -> dict:
    data = form_data()
    data.pop("next", None)
    if "remember" in data:  # a checkbox, sent only when ticked (its value, or "on")
        data["remember"] = data["remember"] in ("true", "on")
    return data


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    if request.method == "GET":
        target = request.args.get("next")
        return _render_form("accounts/login.html", next=target, after_login=_safe_next(target))
    try:
        web.attempt_login(**validate(schemas.LoginSchema, _without_next()))
    except (Invalid, WrongCredentials) as error:
        # Answered at /login itself, a reload would send the password again.
        return _refuse(_with_next("accounts.login"), error)
    except DomainError as error:
        target = request.form.get("next")
        return _render_form(
            "accounts/login.html", error, next=target, after_login=_safe_next(target)
        )
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/logout", methods=["POST"])
def logout():
    web.end_session()
    flash(_("You are logged out."), "info")
    response = redirect(url_for("accounts.login"))
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


def _account_page() -> dict:
    from couples.accounts.passkeys import passkeys_of

    user = me()
    devices = sessions.live_sessions(user=user, now=utcnow())
    return {
        "user": user,
        "devices": [(device, sessions.is_current(device, user)) for device in devices],
        "passkeys": passkeys_of(user),
    }


@bp.route("/account")
@login_required
def account():
    return _render_form("accounts/account.html", **_account_page())


@bp.route("/account/devices/<public_id>/sign-out", methods=["POST"])
@login_required
def sign_out_device(public_id: str):
    if sessions.sign_out(user=me(), public_id=public_id):
        return logout()  # this device: as the log out button
    flash(_("That device is signed out."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/passkeys/<public_id>/remove", methods=["POST"])
@login_required
def remove_passkey(public_id: str):
    from couples.accounts import passkeys

    passkeys.remove(user=me(), public_id=public_id)
    flash(_("That passkey is removed: it no longer signs in."), "success")
    return redirect(url_for("accounts.account") + "#passkeys-h")


@bp.route("/account/profile", methods=["POST"])
@login_required
def profile():
    try:
        services.update_profile(user=me(), **validate(schemas.ProfileSchema, form_data()))
    except Invalid as error:
        return drafts.refuse(url_for("accounts.account"), errors=error.errors)
    except DomainError as error:
        return _render_form("accounts/account.html", error, **_account_page())
    flash(_("Saved."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/password", methods=["POST"])
@login_required
def password():
    try:
        data = validate(schemas.PasswordChangeSchema, form_data())
        web.with_current_password(
            me(), "current_password", lambda: services.change_password(user=me(), **data)
        )
    except Invalid as error:
        return drafts.refuse(url_for("accounts.account"), errors=error.errors)
    except DomainError as error:
        return _render_form("accounts/account.html", error, **_account_page())
    flash(_("Your password is changed. Other devices will need to log in again."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    sessions.end_all_others(user=me())
    flash(_("Every other device is logged out."), "success")
    return redirect(url_for("accounts.account"))


def _has_passkeys() -> bool:
    from couples.accounts.passkeys import has_passkeys

    return has_passkeys(me())


@bp.route("/account/export", methods=["GET", "POST"])
@login_required
def export():
    if request.method == "GET":
        return _render_form("accounts/export.html", has_passkeys=_has_passkeys())
    try:
        data = web.export_data(user=me(), **validate(schemas.ExportSchema, form_data()))
    except Invalid as error:
        return _refuse(url_for("accounts.export"), error, keep_words=False)
    except DomainError as error:
        return _render_form("accounts/export.html", error, has_passkeys=_has_passkeys())
    return Response(
        json.dumps(data, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="couples-export.json"'},
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete():
    if request.method == "GET":
        return _render_form("accounts/delete.html", has_passkeys=_has_passkeys())
    try:
        data = validate(schemas.DeleteSchema, form_data())
        web.with_current_password(
            me(), "password", lambda: services.delete_account(user=me(), now=utcnow(), **data)
        )
    except Invalid as error:
        return _refuse(url_for("accounts.delete"), error, keep_words=False)
    except DomainError as error:
        return _render_form("accounts/delete.html", error, has_passkeys=_has_passkeys())
    web.end_session()
    flash(_("Your account is deleted."), "info")
    response = redirect(url_for("accounts.home"))
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


@bp.route("/account/notices/read", methods=["POST"])
@login_required
def read_notices():
    from couples.notifications.services import mark_read

    mark_read(user_id=me().id, ids=None, now=utcnow())
    return redirect(url_for("accounts.home"))


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    if request.method == "GET":
        return _render_form("accounts/forgot.html")
    try:
        web.throttled("RESET_LIMIT_PER_ADDRESS")
        data = validate(schemas.ResetRequestSchema, form_data())
        services.request_password_reset(email=data["email"], now=utcnow())
    except Invalid as error:
        return _refuse(url_for("accounts.forgot"), error)
    except DomainError as error:
        return _render_form("accounts/forgot.html", error)
    return render_template("accounts/forgot_sent.html")


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    try:
        services.check_reset_token(token=token, now=utcnow())
    except DomainError as error:
        return render_template(
            "errors/error.html", status=error.status, title=error.title, detail=error.detail
        ), error.status
    if request.method == "GET":
        return _render_form("accounts/reset.html", token=token)
    try:
        services.reset_password(
            token=token,
            now=utcnow(),
            new_password=validate(schemas.ResetSchema, form_data())["password"],
        )
    except Invalid as error:
        return _refuse(url_for("accounts.reset", token=token), error, keep_words=False)
    web.end_session()
    flash(_("Your password is changed. Log in with the new one."), "success")
    return redirect(url_for("accounts.login"))
