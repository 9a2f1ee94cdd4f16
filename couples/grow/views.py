"""Grow's pages: the hub, the reflection journal (write, search, read, change, remove;
mine alone: no couple is needed, and a partner gets 404 for every entry), the
self-check, the month's goal, and the couple's small promises and plans together."""

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from couples import drafts
from couples.clock import local_date, utcnow
from couples.errors import DomainError, NotFound
from couples.grow import promises, selfcheck, services, together
from couples.grow.prompts import BY_KEY
from couples.grow.schemas import (
    ENTRY_MAX,
    EntryChangeSchema,
    EntryInSchema,
    GoalInSchema,
    IdeaInSchema,
    PromiseInSchema,
    SelfCheckInSchema,
    TogetherAnswerInSchema,
    TogetherPlanInSchema,
    TriedInSchema,
)
from couples.i18n import translated
from couples.lovelanguages.content import LANGUAGE_LABELS
from couples.repair.schemas import FollowUpIn
from couples.safetycheck import SafetyCheck, help_first, seen_on_page
from couples.validation import Invalid, validate
from couples.web import couple_or_404, current_pairing

bp = Blueprint("grow", __name__, url_prefix="/grow")


def _refuse(to: str, *, errors: dict):
    """``drafts.refuse``, with the messages (the schemas' words, marked with ``N_``) in
    the page's language."""
    return drafts.refuse(
        to, errors={name: [translated(m) for m in said] for name, said in errors.items()}
    )


@bp.route("")
@login_required
def hub():
    pairing, now = current_pairing(), utcnow()
    form, errors, _notice = drafts.restore()  # a refused goal, kept
    check = services.latest_check(current_user.id)
    _week, practice, tried = services.this_week(user=current_user, check=check, now=now)
    partner_lean = services.shared_lean(pairing.partner.id) if pairing else None
    return render_template(
        "grow/hub.html",
        prompt=services.todays_prompt(user=current_user, now=now),
        check=check,
        practice=practice,
        tried=tried,
        pairing=pairing,
        partner_lean=partner_lean,
        lean_words=selfcheck.LEAN_WORDS,
        partner_words=selfcheck.PARTNER_WORDS,
        goal=services.goal_of(current_user, now),
        partner_goal=services.shared_goal(pairing.partner, now) if pairing else None,
        promises_to_answer=sum(
            v.status == "open" for v in promises.listing(pairing=pairing, now=now)
        )
        if pairing
        else 0,
        plans_to_answer=any(
            together.status(p, now) == "asked" and p.proposed_by_id != pairing.me.id
            for p in together.listing(pairing=pairing, now=now)
        )
        if pairing
        else False,
        form=form,
        errors=errors,
    )


@bp.route("/goal", methods=["POST"])
@login_required
def goal():
    data = {
        "goal": request.form.get("goal", ""),
        "support": request.form.get("support", "") or None,
        "shared": request.form.get("shared") == "yes",
    }
    try:
        body = validate(GoalInSchema, data)
    except Invalid as error:
        return _refuse(url_for("grow.hub"), errors=error.errors)
    services.set_goal(
        user=current_user,
        goal=body["goal"].strip(),
        support=(body.get("support") or "").strip() or None,
        shared=body["shared"],
        now=utcnow(),
    )
    flash(_("Your goal for this month is set."), "success")
    return redirect(url_for("grow.hub"))


@bp.route("/self-check", methods=["GET", "POST"])
@login_required
def self_check():
    pairing, now = current_pairing(), utcnow()
    if request.method == "POST":
        answers = {}
        for key in selfcheck.KEYS:
            value = request.form.get(key, "")
            if value.isascii() and value.isdigit() and len(value) == 1:
                answers[key] = int(value)
        try:
            body = validate(SelfCheckInSchema, {"answers": answers})
        except Invalid as error:
            errors = {k.removeprefix("answers."): v for k, v in error.errors.items()}
            return _refuse(url_for("grow.self_check", again="1"), errors=errors)
        services.take_check(user=current_user, answers=body["answers"], now=now)
        return redirect(url_for("grow.self_check"))
    form, errors, _notice = drafts.restore()
    check = services.latest_check(current_user.id)
    _week, practice, tried = services.this_week(user=current_user, check=check, now=now)
    return render_template(
        "grow/self_check.html",
        check=None if request.args.get("again") == "1" or errors else check,
        had_check=check is not None,
        statements=selfcheck.STATEMENTS,
        lean_words=selfcheck.LEAN_WORDS,
        practice=practice,
        tried=tried,
        pairing=pairing,
        form=form,
        errors=errors,
    )


@bp.route("/self-check/share", methods=["POST"])
@login_required
def share_check():
    shared = request.form.get("shared") == "yes"
    try:
        services.share_check(user=current_user, shared=shared)
    except NotFound:
        abort(404)
    flash(
        _("Your partner can now see where you lean.")
        if shared
        else _("Your self-check is yours alone again."),
        "success",
    )
    return redirect(url_for("grow.self_check"))


@bp.route("/practice", methods=["POST"])
@login_required
def practice():
    try:
        body = validate(TriedInSchema, {"tried": request.form.get("tried", "")})
        services.mark_tried(user=current_user, tried=body["tried"], now=utcnow())
    except Invalid as error:
        return _refuse(url_for("grow.self_check"), errors=error.errors)
    except NotFound:
        return redirect(url_for("grow.self_check"))
    flash(_("Noted, for you alone."), "success")
    back = "grow.hub" if request.form.get("back") == "hub" else "grow.self_check"
    return redirect(url_for(back))


@bp.route("/journal")
@login_required
def journal():
    form, errors, _notice = drafts.restore()  # a refused entry, kept
    query = request.args.get("q", "")[:200]
    before = request.args.get("before", "")[:16] or None
    entries, cursor = services.listing(user=current_user, query=query, before=before)
    prompt = services.todays_prompt(user=current_user, now=utcnow())
    free = request.args.get("free") == "1" or (form and not form.get("prompt_key"))
    return render_template(
        "grow/journal.html",
        entries=entries,
        cursor=cursor,
        query=query,
        prompt=None if free else prompt,
        prompts=BY_KEY,
        form=form,
        errors=errors,
        most=ENTRY_MAX,
        pairing=current_pairing(),
    )


def _memory(form) -> bool:
    return form.get("memory") == "yes"


@bp.route("/journal", methods=["POST"])
@login_required
def write():
    form = request.form
    data = {"text": form.get("text", ""), "prompt_key": form.get("prompt_key") or None}
    try:
        body = validate(EntryInSchema, data)
    except Invalid as error:
        back = url_for("grow.journal", free=None if data["prompt_key"] else "1")
        return _refuse(back, errors=error.errors)
    services.write(
        user=current_user,
        text=body["text"].strip(),
        prompt_key=body.get("prompt_key"),
        memory=_memory(form),
        now=utcnow(),
    )
    flash(_("Saved in your journal. Only you can read it."), "success")
    return redirect(url_for("grow.journal"))


def _entry_or_404(entry_id: str):
    try:
        return services.find(user=current_user, entry_id=entry_id)
    except NotFound:
        abort(404)


@bp.route("/journal/<entry_id>", methods=["GET", "POST"])
@login_required
def entry(entry_id: str):
    found = _entry_or_404(entry_id)
    if request.method == "POST":
        try:
            body = validate(EntryChangeSchema, {"text": request.form.get("text", "")})
        except Invalid as error:
            return _refuse(url_for("grow.entry", entry_id=entry_id), errors=error.errors)
        services.change(
            user=current_user,
            entry_id=entry_id,
            text=body["text"].strip(),
            memory=_memory(request.form),
            now=utcnow(),
        )
        flash(_("Your changes are saved."), "success")
        return redirect(url_for("grow.journal"))
    form, errors, _notice = drafts.restore()
    return render_template(
        "grow/entry.html",
        entry=found,
        prompt=BY_KEY.get(found.prompt_key or ""),
        form=form,
        errors=errors,
        most=ENTRY_MAX,
        pairing=current_pairing(),
    )


@bp.route("/journal/<entry_id>/remove", methods=["POST"])
@login_required
def remove(entry_id: str):
    try:
        services.remove(user=current_user, entry_id=entry_id)
    except NotFound:
        abort(404)
    flash(_("The entry is removed."), "success")
    return redirect(url_for("grow.journal"))


# ------------------------------------------------------------------------ small promises


@bp.route("/promises")
@login_required
def promises_page():
    pairing, now = couple_or_404(), utcnow()
    form, errors, _notice = drafts.restore()  # a refused promise or answer, kept
    today = local_date(now, pairing.me.timezone)
    return render_template(
        "grow/promises.html",
        pairing=pairing,
        items=promises.listing(pairing=pairing, now=now),
        outcomes=promises.OUTCOMES,
        today=today,
        last_day=today + timedelta(days=promises.AHEAD),
        zone=ZoneInfo(pairing.me.timezone),
        form=form,
        errors=errors,
    )


@bp.route("/promises", methods=["POST"])
@login_required
def make_promise():
    pairing = couple_or_404()
    data = {"text": request.form.get("text", ""), "day": request.form.get("day", "")}
    try:
        body = validate(PromiseInSchema, data)
        promises.make(
            pairing=pairing,
            text=body["text"].strip(),
            day=body["day"],
            now=utcnow(),
            seen=seen_on_page(),
        )
    except Invalid as error:
        return _refuse(url_for("grow.promises_page"), errors=error.errors)
    except SafetyCheck as check:
        return help_first(
            check,
            written=[("text", _("My promise"))],
            source=_("a promise"),
            back=url_for("grow.promises_page"),
        )
    flash(_("Your promise is with %(name)s.", name=pairing.partner.display_name), "success")
    return redirect(url_for("grow.promises_page"))


@bp.route("/promises/<promise_id>/answer", methods=["POST"])
@login_required
def answer_promise(promise_id: str):
    pairing = couple_or_404()
    data = {"outcome": request.form.get("outcome", ""), "note": request.form.get("note", "")}
    try:
        promises.find(pairing=pairing, promise_id=promise_id)
        body = validate(FollowUpIn, data)
        promises.answer(
            pairing=pairing,
            promise_id=promise_id,
            outcome=body["outcome"],
            note=(body.get("note") or "").strip() or None,
            now=utcnow(),
            seen=seen_on_page(),
        )
    except NotFound:
        abort(404)
    except Invalid as error:
        errors = {f"{promise_id}-{k}": v for k, v in error.errors.items()}
        return _refuse(url_for("grow.promises_page"), errors=errors)
    except SafetyCheck as check:
        return help_first(
            check,
            written=[("note", _("A note"))],
            source=_("a note on a promise"),
            back=url_for("grow.promises_page"),
        )
    except DomainError as error:
        flash(str(error), "info")
        return redirect(url_for("grow.promises_page"))
    flash(_("Noted. Thank you for saying how it went."), "success")
    return redirect(url_for("grow.promises_page"))


@bp.route("/promises/<promise_id>/take-back", methods=["POST"])
@login_required
def take_back_promise(promise_id: str):
    pairing = couple_or_404()
    try:
        promises.take_back(pairing=pairing, promise_id=promise_id, now=utcnow())
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(str(error), "info")
        return redirect(url_for("grow.promises_page"))
    flash(_("The promise is taken back."), "success")
    return redirect(url_for("grow.promises_page"))


# ----------------------------------------------------------------- doing things together


@bp.route("/together")
@login_required
def together_page():
    pairing, now = couple_or_404(), utcnow()
    form, errors, _notice = drafts.restore()  # a refused plan, idea or answer, kept
    today = local_date(now, pairing.me.timezone)
    plans = together.listing(pairing=pairing, now=now)
    status = {p.id: together.status(p, now) for p in plans}
    asking = [p for p in plans if status[p.id] == "asked" and p.proposed_by_id != pairing.me.id]
    return render_template(
        "grow/together.html",
        pairing=pairing,
        asking=asking,
        coming=[p for p in plans if status[p.id] != "past" and p not in asking],
        past=[p for p in plans if status[p.id] == "past"][::-1],
        status=status,
        ideas=together.our_ideas(pairing),
        we_said=together.from_check_ins(
            pairing,
            since=today - timedelta(days=together.WEEKS_BACK),
            until=today + timedelta(days=1),
        ),
        suggestions=together.suggestions(pairing, today),
        labels={**LANGUAGE_LABELS, **together.KIND_WORDS},
        today=today,
        last_day=today + timedelta(days=together.AHEAD),
        zone=ZoneInfo(pairing.me.timezone),
        planned=request.args.get("text", "")[:200],
        form=form,
        errors=errors,
    )


@bp.route("/together/plans", methods=["POST"])
@login_required
def propose_plan():
    pairing = couple_or_404()
    data = {key: request.form.get(key, "") for key in ("text", "day", "time")}
    try:
        body = validate(TogetherPlanInSchema, data)
        together.propose(
            pairing=pairing,
            text=body["text"].strip(),
            day=body["day"],
            at=time.fromisoformat(body["time"]),
            now=utcnow(),
            seen=seen_on_page(),
        )
    except Invalid as error:
        return _refuse(url_for("grow.together_page"), errors=error.errors)
    except SafetyCheck as check:
        return help_first(
            check,
            written=[("text", _("Our plan"))],
            source=_("a plan together"),
            back=url_for("grow.together_page"),
        )
    flash(_("Your plan is with %(name)s.", name=pairing.partner.display_name), "success")
    return redirect(url_for("grow.together_page"))


@bp.route("/together/plans/<plan_id>/answer", methods=["POST"])
@login_required
def answer_plan(plan_id: str):
    pairing = couple_or_404()
    data = {"answer": request.form.get("answer", ""), "note": request.form.get("note", "")}
    try:
        together.find(pairing=pairing, plan_id=plan_id)
        body = validate(TogetherAnswerInSchema, data)
        plan = together.answer(
            pairing=pairing,
            plan_id=plan_id,
            reply=body["answer"],
            note=(body.get("note") or "").strip() or None,
            now=utcnow(),
            seen=seen_on_page(),
        )
    except NotFound:
        abort(404)
    except Invalid as error:
        errors = {f"{plan_id}-{k}": v for k, v in error.errors.items()}
        return _refuse(url_for("grow.together_page"), errors=errors)
    except SafetyCheck as check:
        return help_first(
            check,
            written=[("note", _("A word for my partner"))],
            source=_("an answer to a plan"),
            back=url_for("grow.together_page"),
        )
    except DomainError as error:
        flash(str(error), "info")
        return redirect(url_for("grow.together_page"))
    name = pairing.partner.display_name
    flash(
        _("%(name)s will know you said yes.", name=name)
        if plan.answer == "yes"
        else _("%(name)s will know.", name=name),
        "success",
    )
    return redirect(url_for("grow.together_page"))


@bp.route("/together/plans/<plan_id>/withdraw", methods=["POST"])
@login_required
def withdraw_plan(plan_id: str):
    pairing = couple_or_404()
    try:
        together.withdraw(pairing=pairing, plan_id=plan_id, now=utcnow())
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(str(error), "info")
        return redirect(url_for("grow.together_page"))
    flash(_("The plan is called off."), "success")
    return redirect(url_for("grow.together_page"))


@bp.route("/together/ideas", methods=["POST"])
@login_required
def add_idea():
    pairing = couple_or_404()
    try:
        body = validate(IdeaInSchema, {"text": request.form.get("idea", "")})
    except Invalid as error:
        errors = {"idea": error.errors.get("text", [])}
        return _refuse(url_for("grow.together_page"), errors=errors)
    together.add_idea(pairing=pairing, text=body["text"].strip(), now=utcnow())
    flash(_("On your list."), "success")
    return redirect(url_for("grow.together_page"))


@bp.route("/together/ideas/<idea_id>/remove", methods=["POST"])
@login_required
def remove_idea(idea_id: str):
    pairing = couple_or_404()
    try:
        together.remove_idea(pairing=pairing, idea_id=idea_id)
    except NotFound:
        abort(404)
    flash(_("Taken off your list."), "success")
    return redirect(url_for("grow.together_page"))
