"""Check-in pages: tonight's check-in, waiting and the reveal, history, the schedule."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from couples import drafts
from couples.checkins import reactions, rules, services
from couples.checkins.schemas import CoupleSettingsSchema, settings_changes
from couples.clock import utcnow
from couples.errors import Conflict, Invalid
from couples.grow import promises
from couples.i18n import format_moment, translated
from couples.lovelanguages.content import LANGUAGE_LABELS
from couples.pairing.services import Pairing
from couples.safetycheck import SafetyCheck, help_first, seen_on_page
from couples.validation import validate
from couples.web import couple_or_404, current_pairing

bp = Blueprint("checkins", __name__)


def answers_from_form(questions: list[dict], form) -> dict:
    """The posted form as the API's answers: numbers for scales, lists for multi,
    booleans for yes/no, None for what was left empty."""
    answers: dict = {}
    for question in questions:
        key, kind = question["key"], question["type"]
        if kind == "multi":
            answers[key] = form.getlist(key)
            continue
        raw = form.get(key, "")
        if raw == "":
            answers[key] = None
        elif kind == "scale":
            answers[key] = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 4 else raw
        elif kind == "yesno":
            answers[key] = {"yes": True, "no": False}.get(raw, raw)
        else:
            answers[key] = raw
    return answers


def parse_day(text: str):
    day = rules.parse_day(text)
    if day is None:
        abort(404)
    return day


def _field_errors(errors: dict) -> dict:
    return {key.removeprefix("answers."): messages for key, messages in errors.items()}


@bp.route("/checkin")
@login_required
def tonight():
    """The first open check-in (tonight, or yesterday's still open). Someone not linked
    yet is taken to where they invite their partner or join them."""
    pairing = current_pairing()
    if pairing is None:
        flash(
            _("Check-ins are for two: tonight's opens once you and your partner are linked."),
            "info",
        )
        return redirect(url_for("pairing.pair"))
    views = services.today(pairing=pairing, now=utcnow())
    for view in views:
        if view.my_answers is None:
            return redirect(url_for("checkins.day", day=view.day.isoformat()))
    if views:
        return redirect(url_for("checkins.day", day=views[0].day.isoformat()))
    flash(_("No check-in today: enjoy the evening."), "info")
    return redirect(url_for("accounts.home"))


@bp.route("/checkin/<day>", methods=["GET", "POST"])
@login_required
def day(day: str):
    pairing, now = couple_or_404(), utcnow()
    when = parse_day(day)
    if request.method == "GET":
        view = services.one_day(pairing=pairing, day=when, now=now)
        form, errors, _notice = drafts.restore()  # refused answers of mine, kept
        if errors and view.open:
            return _render(pairing, view, editing=True, form=form, errors=errors)
        editing = request.args.get("edit") == "1" and view.open
        page = _render(pairing, view, editing=editing or (view.open and view.my_answers is None))
        if view.reactions and view.reactions["unseen"]:
            # Shown as new on this page once; from now on, seen.
            reactions.mark_seen(
                pairing=pairing,
                day=when,
                keys=view.reactions["unseen"],
                kinds=view.reactions["partner"],
                now=now,
            )
        return page
    view = services.form_day(pairing=pairing, day=when, now=now)
    answers = answers_from_form(view.questions, request.form)
    try:
        view = services.submit(
            pairing=pairing, day=when, answers=answers, now=now, seen=seen_on_page()
        )
    except SafetyCheck as check:
        return help_first(
            check,
            written=[
                (q["key"], rules.prompt_text(q)) for q in view.questions if q["type"] == "text"
            ],
            source=_("check-in answers for %(date)s", date=format_moment(when, "%-d %B %Y")),
            back=url_for("checkins.day", day=day),
        )
    except Invalid as error:
        return drafts.refuse(url_for("checkins.day", day=day), errors=_field_errors(error.errors))
    except Conflict as error:
        # Closed at noon, or revealed a moment ago: say so, and keep every word typed.
        return _render(
            pairing,
            view,
            editing=True,
            form=request.form,
            errors={},
            refused=translated(str(error)),
        ), 409
    flash(_("Saved. Thank you.") if not view.revealed else _("You've both answered."), "success")
    return redirect(url_for("checkins.day", day=day))


def _render(
    pairing: Pairing,
    view: services.CheckinDay,
    *,
    editing: bool,
    form=None,
    errors=None,
    refused: str | None = None,
):
    values = form if form is not None else None
    part = rules.parts(view.questions)
    given = values if values is not None else (view.my_answers or {})
    return render_template(
        "checkins/day.html",
        view=view,
        part=part,
        # "Go deeper" opens by itself when something in it was answered or needs a look.
        deeper_open=any(
            given.get(q["key"]) not in (None, "", []) or q["key"] in (errors or {})
            for q in part.deeper
        ),
        pairing=pairing,
        editing=editing,
        refused=refused,
        values=values,
        errors=errors or {},
        labels=LANGUAGE_LABELS,
        reactions=rules.REACTIONS,
        outcomes=promises.OUTCOMES,
        is_today=view.day == rules.open_dates(utcnow(), pairing.me.timezone)[0],
    )


@bp.route("/checkin/<day>/react", methods=["POST"])
@login_required
def react(day: str):
    """A heart, a thank-you or "let's talk" on an answer of my partner's; the same
    button again takes it back."""
    pairing, now = couple_or_404(), utcnow()
    when = parse_day(day)
    key, kind = request.form.get("key", ""), request.form.get("kind", "")
    if kind != "none" and kind not in rules.REACTIONS:
        raise Invalid(errors={"kind": [_("Choose a heart, a thank-you or let's talk.")]})
    if kind == "none":
        reactions.unreact(pairing=pairing, day=when, key=key, now=now)
    else:
        reactions.react(pairing=pairing, day=when, key=key, kind=kind, now=now)
    return redirect(url_for("checkins.day", day=day, _anchor=f"answer-{key}"))


@bp.route("/checkins")
@login_required
def history():
    pairing = couple_or_404()
    before = request.args.get("before")
    views, cursor = services.history(
        pairing=pairing, before=rules.parse_day(before) if before else None
    )
    return render_template(
        "checkins/history.html",
        views=views,
        cursor=cursor,
        pairing=pairing,
        labels=LANGUAGE_LABELS,
        reactions=rules.REACTIONS,
        first_page=before is None,
    )


@bp.route("/couple/checkins", methods=["GET", "POST"])
@login_required
def settings():
    pairing = couple_or_404()
    custom = services.active_custom_questions(pairing.couple.id)
    if request.method == "POST":
        data, errors = _settings_from_form(request.form, custom)
        if not errors:
            try:
                services.update_settings(
                    pairing=pairing,
                    now=utcnow(),
                    changes=settings_changes(
                        validate(CoupleSettingsSchema, data), pairing.couple.modules_off
                    ),
                )
            except Invalid as error:
                errors = error.errors
        if errors:
            return drafts.refuse(url_for("checkins.settings"), errors=errors)
        flash(_("Your check-in is set."), "success")
        return redirect(url_for("checkins.settings"))
    form, errors, _notice = drafts.restore()
    schedule = services.schedule_of(pairing.couple)
    return render_template(
        "checkins/settings.html",
        schedule=schedule,
        custom=custom,
        weekdays=rules.WEEKDAYS,
        core_modules=rules.CORE_MODULES,
        deeper_modules=rules.DEEPER_MODULES,
        module_labels=rules.MODULE_LABELS,
        errors=errors,
        form=form if errors else {},
    )


def _settings_from_form(form, custom) -> tuple[dict, dict]:
    """The settings form as the API's PATCH body (and form-only errors)."""
    action = form.get("action", "save")
    keep = [{"id": str(q.id), "prompt": q.prompt} for q in custom if action != f"remove-{q.id}"]
    data: dict = {
        "schedule": {
            "nightly_days": [d for d in rules.WEEKDAYS if form.get(f"day-{d}")],
            "weekly_day": form.get("weekly_day") or None,
        },
        "modules": {m: bool(form.get(f"module-{m}")) for m in rules.MODULES},
        "custom_questions": keep,
    }
    if action == "add":
        new = {"type": form.get("new_type", ""), "prompt": form.get("new_prompt", "").strip()}
        options = [o.strip() for o in form.get("new_options", "").split("\n") if o.strip()]
        if options:
            new["options"] = options
        data["custom_questions"] = keep + [new]
    try:
        validate(CoupleSettingsSchema, data)
    except Invalid as error:
        return data, _settings_field_errors(error.errors, len(keep))
    return data, {}


def _settings_field_errors(errors: dict, new_index: int) -> dict:
    """API paths as form field names: the new question's fields, the schedule."""
    named = {}
    new_question = f"custom_questions.{new_index}"
    for key, messages in errors.items():
        if key.startswith(new_question + "."):
            key = "new_" + key.rsplit(".", 1)[1]
        elif key.startswith("schedule."):
            key = key.removeprefix("schedule.")
        # The schema's messages are kept in English (the API's); the page says them in
        # its language.
        named.setdefault(key, []).extend(translated(message) for message in messages)
    return named
