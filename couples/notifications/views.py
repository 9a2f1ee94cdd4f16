"""Pages: notification settings (reminder time, quiet hours, kinds, devices) and the inbox."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from couples import drafts
from couples.accounts.schemas import NotificationPrefsSchema, minutes
from couples.clock import utcnow
from couples.errors import DomainError, Invalid
from couples.notifications import services
from couples.notifications.kinds import USER_KINDS
from couples.validation import validate
from couples.web import me

bp = Blueprint("notifications", __name__)


def _clock(value: int) -> str:
    return f"{value // 60:02d}:{value % 60:02d}"


def _form_prefs(form) -> dict:
    """The settings form as the API's preferences object (same schema, same rules)."""
    return {
        "reminder_time": form.get("reminder_time", ""),
        "quiet_hours": {"start": form.get("quiet_start", ""), "end": form.get("quiet_end", "")},
        "discreet": form.get("discreet") == "on",
        "kinds": {kind.name: form.get(f"kind_{kind.name}") == "on" for kind in USER_KINDS},
    }


def _render(errors=None, status=200, form=None):
    user = me()
    return render_template(
        "notifications/settings.html",
        user=user,
        kinds=USER_KINDS,
        clock=_clock,
        devices=services.subscriptions_of(user),
        errors=errors or {},
        form=form if errors else None,
    ), status


def _field_errors(error: DomainError) -> dict:
    return {k.removeprefix("notifications."): v for k, v in (error.errors or {}).items()}


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def settings():
    if request.method == "GET":
        form, errors, _notice = drafts.restore()
        return _render(errors, form=form)
    try:
        prefs = validate(NotificationPrefsSchema, _form_prefs(request.form))
        off = [name for name, on in prefs["kinds"].items() if not on]
        services.update_preferences(
            user=me(),
            now=utcnow(),
            reminder_minute=minutes(prefs["reminder_time"]),
            quiet_start_minute=minutes(prefs["quiet_hours"]["start"]),
            quiet_end_minute=minutes(prefs["quiet_hours"]["end"]),
            discreet=prefs["discreet"],
            kinds_off=off,
        )
    except Invalid as error:
        return drafts.refuse(url_for("notifications.settings"), errors=_field_errors(error))
    except DomainError as error:
        return _render(_field_errors(error), error.status, request.form)
    flash(_("Saved."), "success")
    return redirect(url_for("notifications.settings"))


@bp.route("/settings/notifications/test", methods=["POST"])
@login_required
def test():
    count = services.send_test(user=me(), now=utcnow())
    flash(
        ngettext(
            "A test is on its way to %(num)d device.",
            "A test is on its way to %(num)d devices.",
            count,
        )
        if count
        else _("No device is set up for reminders yet."),
        "info",
    )
    return redirect(url_for("notifications.settings"))


@bp.route("/settings/notifications/devices/<int:device_id>/remove", methods=["POST"])
@login_required
def remove_device(device_id: int):
    services.remove_device(user=me(), device_id=device_id)
    flash(_("That device will no longer get reminders."), "info")
    return redirect(url_for("notifications.settings"))


@bp.route("/notifications")
@login_required
def inbox():
    items, _cursor = services.inbox(user_id=me().id)
    return render_template("notifications/inbox.html", items=items)


@bp.route("/notifications/read", methods=["POST"])
@login_required
def read_all():
    services.mark_read(user_id=me().id, ids=None, now=utcnow())
    return redirect(url_for("notifications.inbox"))
