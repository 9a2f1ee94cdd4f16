"""Repair pages: the list, opening one, the page of each step for the partner whose turn
it is (and a calm waiting page for the other), the pause, the history, and help."""

import re
from dataclasses import replace
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from couples import drafts
from couples.clock import utcnow
from couples.errors import DomainError, Invalid, NotFound
from couples.i18n import N_, translated
from couples.lovelanguages.content import BID_GUIDES
from couples.repair import content, machine, queries, services, signpost, trust
from couples.repair.schemas import (
    FOLLOW_UP_DAYS,
    MAX_COMMITMENTS,
    QuestionAnswerIn,
    QuestionIn,
    TrustCheckIn,
    TrustWeeksIn,
)
from couples.safetycheck import SafetyCheck, help_first, seen_on_page
from couples.validation import validate
from couples.web import couple_or_404

bp = Blueprint("repairs", __name__, url_prefix="/repairs")

PLAN_ROWS = 3  # commitment rows on the page (the API takes up to MAX_COMMITMENTS)

# The words the pages need, from ``content`` (one place for every label and hint).
UI = SimpleNamespace(
    feeling_groups=content.FEELING_GROUPS,
    need_choices=content.NEEDS_NOW,
    i_statement_fields=[
        (name, prompt.label, prompt.help, name != "because")
        for name, prompt in content.I_STATEMENT.items()
    ],
    apology_parts=content.APOLOGY_PARTS,
    views=content.VIEWS,
    view_said=content.VIEW_SAID,
    views_differ_words=content.views_differ_words,
    my_part=content.MY_PART_PROMPT,
    commitment_hint=content.COMMITMENT_PROMPT.help,
    commitment_examples=content.COMMITMENT_EXAMPLES,
    outcomes={key: choice.label for key, choice in content.FOLLOW_UP_OUTCOMES.items()},
    stop=content.STOP,
    pause_lengths=content.PAUSE_LENGTHS,
    join_words=lambda words: _join_feelings(words),
)

# The schemas' messages that name the API's values, said in the words of the page.
PAGE_MESSAGES = {
    N_("Choose apologizing or hurt."): N_("Choose the one closest to where you are."),
    N_("Choose hurt, apologizing or both."): N_("Choose the one closest to how you see it."),
    N_("Choose kept, partly or not."): N_("Choose the one closest to how it went."),
    N_("Choose me or partner."): N_("Choose whose commitment it is."),
    N_("Missing data for required field."): N_("Please fill this in."),
}


def _page_errors(errors: dict) -> dict:
    # The schemas' messages may come already in the page's language: match both.
    mapped = PAGE_MESSAGES | {translated(k): v for k, v in PAGE_MESSAGES.items()}
    return {
        key: [translated(mapped[m]) if m in mapped else m for m in messages]
        for key, messages in errors.items()
    }


def _join_feelings(words) -> str:
    """The feelings picked (kept in English) and their own words, in the page's language:
    "hurt", "hurt and lonely", "hurt, lonely and tired"."""
    return content.join_words(content.said_feelings(words))


def _find(pairing, repair_id: str, *, lock: bool = False):
    try:
        return queries.find(pairing=pairing, repair_id=repair_id, lock=lock)
    except NotFound:
        abort(404)


@bp.route("")
@login_required
def listing():
    pairing, now = couple_or_404(), utcnow()
    try:
        items, cursor = queries.listing(
            pairing=pairing, before=request.args.get("before", "")[:16] or None
        )
    except Invalid:
        items, cursor = queries.listing(pairing=pairing)
    return render_template(
        "repairs/list.html",
        pairing=pairing,
        items=items,
        cursor=cursor,
        next_actor=lambda r: queries.next_actor(r, pairing.me.id, now),
        paused=lambda r: queries.is_paused(r, now),
        zone=ZoneInfo(pairing.me.timezone),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    pairing = couple_or_404()
    if request.method == "GET":
        form, errors, _notice = drafts.restore()  # a refused repair of mine, kept
        return render_template("repairs/new.html", pairing=pairing, errors=errors, form=form)
    try:
        repair = services.open_repair(
            pairing=pairing,
            title=request.form.get("title", ""),
            role=request.form.get("role", ""),
            kind="trust" if request.form.get("kind") == "trust" else "everyday",
            now=utcnow(),
            seen=seen_on_page(),
        )
    except SafetyCheck as check:
        return help_first(
            check,
            written=[("title", N_("A short name for what happened"))],
            source=N_("a repair's name"),
            back=url_for("repairs.listing"),
        )
    except Invalid as error:
        return drafts.refuse(url_for("repairs.new"), errors=_page_errors(error.errors))
    return redirect(url_for("repairs.show", repair_id=repair.public_id))


def _latest(repair, action: str, user_id: int | None = None):
    for step in reversed(repair.steps):
        if step.action == action and (user_id is None or step.user_id == user_id):
            return step
    return None


# The fields a person writes in (the rest are choices): kept on the page when a step is
# refused after the repair moved on, so that nothing they wrote is lost.
_WRITTEN = re.compile(
    r"^(i_feel|when|because|i_need|own_feeling|acknowledgement|empathy|"
    r"restitution|missing|my_part|commitments-\d-text|own_choice|instead|note|"
    r"what_i_heard|missed)$"
)


_LABELS = {
    "i_feel": N_("I feel"),
    "when": N_("When"),
    "because": N_("Because"),
    "i_need": N_("I need"),
    "own_feeling": N_("A feeling in my own words"),
    "acknowledgement": N_("What I did"),
    "empathy": N_("How it made you feel"),
    "restitution": N_("What I will do"),
    "missing": N_("What is still missing"),
    "my_part": N_("My part in it"),
    "text": N_("Next time, I will"),
    "own_choice": N_("A way to reconnect"),
    "note": N_("A note"),
    "what_i_heard": N_("What I heard you say"),
    "missed": N_("What was missed"),
}


def _written(form) -> list[str]:
    return [
        value.strip()
        for key, value in form.items(multi=True)
        if _WRITTEN.match(key) and value.strip()
    ]


# The fields of the trust section's forms (an answer's error is keyed by its question).
_TRUST_FIELDS = frozenset({"question", "weeks", "score", "note"})


def _render(
    pairing, repair, *, errors=None, form=None, status=200, kept=False, unsent=None, notice=None
):
    """The page of ``repair`` for me. ``kept``: my step was refused because of a pause,
    so my form comes back with my words in it, to send once the pause is over."""
    now = utcnow()
    me = pairing.me.id
    role = queries.role_of(repair, me)
    waiting = queries.waiting_roles(repair, now)
    snap = queries.snapshot(repair, now)
    paused = queries.is_paused(repair, now)
    kept = kept and paused and repair.state in machine.STEP_STATES
    if kept:  # whose turn it will be when the pause is over
        waiting = machine.next_actors(replace(snap, paused=False))
    # While I wait: has my partner opened what I last wrote for them?
    shared = {
        "reflect": ("hearing", "reflect", "reflect_confirm"),
        "apology": ("hearing", "reflect_confirm", "response"),
        "response": ("apology",),
    }.get(repair.state)
    mine = queries.my_latest_words(repair, me, shared) if shared else None
    opener = repair.opened_by_id == me
    my_view = repair.opener_view if opener else repair.partner_view
    settled = queries.roles_settled(repair)
    # A refused form of the trust section comes back there alone: the step's forms show
    # their saved words, and its boxes take nothing from another refused form.
    form = form or MultiDict()
    trust_refused = bool(errors) and all(
        key in _TRUST_FIELDS or key.endswith("-answer") for key in errors
    )
    trust_form, form = (form, MultiDict()) if trust_refused else (MultiDict(), form)
    context = dict(
        trust_form=trust_form,
        partner_read=queries.seen_by(repair, pairing.partner.id, mine),
        my_role=queries.my_role(repair, me),
        needs_view=queries.views_unsaid_for(repair, me),
        my_view=my_view,
        their_view=repair.partner_view if opener else repair.opener_view,
        # "We both are" from either: who goes first was settled kindly; say how.
        both_view=settled and "both" in (repair.opener_view, repair.partner_view),
        pairing=pairing,
        repair=repair,
        role=role,
        my_turn=role in waiting,
        partner_turn=machine.other(role) in waiting,
        paused=paused,
        kept=kept,
        snap=snap,
        now=now,
        errors=_page_errors(errors or {}),
        form=form or {},
        zone=ZoneInfo(pairing.me.timezone),
        ui=UI,
        hearing=_latest(repair, "hearing"),
        reflect=_latest(repair, "reflect"),
        reflect_confirm=_latest(repair, "reflect_confirm"),
        listen_guide=BID_GUIDES["talk_tonight"],
        apology=_latest(repair, "apology"),
        response=_latest(repair, "response"),
        my_plan=_latest(repair, "plan", me),
        partner_plan=_latest(repair, "plan", pairing.partner.id),
        suggestions=queries.reconnect_suggestions(repair) if repair.state == "reconnect" else [],
        declined=queries.declined_reconnect(repair),
        signposts=queries.signposts(repair=repair, viewer_id=me, now=now),
        plan_rows=PLAN_ROWS,
        follow_up_days=FOLLOW_UP_DAYS,
        can_pause=repair.state in machine.PAUSABLE and not queries.is_paused(repair, now),
        ended=repair.state in machine.FINAL,
        unsent=unsent,
        notice=notice,
    )
    return render_template("repairs/show.html", **context), status


@bp.route("/<repair_id>")
@login_required
def show(repair_id: str):
    pairing = couple_or_404()
    repair = _find(pairing, repair_id)
    form, errors, _notice = drafts.restore()  # a refused step of mine, kept
    page = _render(pairing, repair, errors=errors, form=form)
    services.note_seen(pairing=pairing, repair=repair, now=utcnow())
    return page


@bp.route("/<repair_id>/history")
@login_required
def history(repair_id: str):
    pairing = couple_or_404()
    repair = _find(pairing, repair_id)
    return render_template(
        "repairs/history.html",
        pairing=pairing,
        repair=repair,
        zone=ZoneInfo(pairing.me.timezone),
        ui=UI,
        hidden=queries.hidden_steps(repair, pairing.me.id),
    )


def step_body(step: str, role: str, form) -> dict:
    """The posted form as the API's body for ``step``."""
    if step == "ready":
        view = form.get("view", "")
        return {"view": view} if view else {}
    if step == "hearing":
        feelings = [f for f in form.getlist("feelings") if f]
        own = form.get("own_feeling", "").strip()
        if own:
            feelings.append(own)
        return {
            "feelings": feelings,
            "i_feel": form.get("i_feel", ""),
            "when": form.get("when", ""),
            "because": form.get("because", ""),
            "i_need": form.get("i_need", ""),
            "need_now": form.get("need_now", ""),
        }
    if step == "reflect" and role == machine.APOLOGIZING:
        return {"what_i_heard": form.get("what_i_heard", "")}
    if step == "reflect":
        if form.get("thats_it") == "yes":  # words typed for "something missed" don't apply
            return {"thats_it": True}
        body = {"missed": form.get("missed", "")}
        if form.get("thats_it") == "no":
            body["thats_it"] = False
        return body
    if step == "apology":
        return {k: form.get(k, "") for k in ("acknowledgement", "empathy", "restitution")}
    if step == "response":
        heard = {"yes": True, "no": False}.get(form.get("heard", ""))
        body = {
            "missing": form.get("missing", "") if heard is False else None,
            "forgive": True if form.get("forgive") == "yes" and heard else None,
        }
        if heard is not None:
            body["heard"] = heard
        return body
    if step == "plan":
        commitments = []
        for i in _filled_rows(form):
            days = [
                int(d)
                for d in form.getlist(f"commitments-{i}-days")
                if d.isascii() and d.isdigit() and len(d) < 3
            ]
            commitments.append(
                {
                    "text": form.get(f"commitments-{i}-text", "").strip(),
                    "owner": form.get(f"commitments-{i}-owner", "me"),
                    "follow_up_days": days or list(FOLLOW_UP_DAYS),
                }
            )
        return {"my_part": form.get("my_part", ""), "commitments": commitments}
    if step == "reconnect" and role == machine.APOLOGIZING:
        own = form.get("own_choice", "").strip()
        return {"choice": own or form.get("choice", "")}
    if step == "reconnect":
        if form.get("confirmed") == "yes":  # words typed for "something else" don't apply
            return {"confirmed": True}
        return {"confirmed": False, "instead": form.get("instead", "")}
    return {}


def _filled_rows(form) -> list[int]:
    """The commitment rows of the plan form that hold words (empty rows are left out)."""
    return [i for i in range(MAX_COMMITMENTS) if form.get(f"commitments-{i}-text", "").strip()]


def _form_errors(step: str, errors: dict, form) -> dict:
    """The service's messages keyed by the fields of the page."""
    out: dict[str, list[str]] = {}
    rows = _filled_rows(form) if step == "plan" else []
    for key, messages in errors.items():
        parts = key.split(".")
        if step == "hearing" and parts[0] == "feelings":
            key = "feelings"  # one word of the picker, or their own: said under the picker
        elif step == "plan" and parts[0] == "commitments" and len(parts) > 2:
            # commitments.<n>.<field>: the n-th filled row, which may not be the n-th row
            index = int(parts[1]) if parts[1].isdigit() else -1
            row = rows[index] if 0 <= index < len(rows) else index
            field = "days" if parts[2] == "follow_up_days" else parts[2]
            key = f"commitments-{row}-{field}"
        out.setdefault(key, []).extend(m for m in messages if m not in out.get(key, []))
    return out


@bp.route("/<repair_id>/steps/<step>", methods=["POST"])
@login_required
def take_step(repair_id: str, step: str):
    pairing = couple_or_404()
    if step not in machine.STEP_STATES:
        abort(404)
    repair = _find(pairing, repair_id, lock=True)
    body = step_body(step, queries.role_of(repair, pairing.me.id), request.form)
    if seen_on_page():
        body["send_anyway"] = True
    try:
        services.act(pairing=pairing, repair=repair, step=step, body=body, now=utcnow())
    except Invalid as error:
        # Back to the repair's own page with the words and the messages: reloading it
        # reloads a page, not the step.
        return drafts.refuse(
            url_for("repairs.show", repair_id=repair_id),
            errors=_form_errors(step, error.errors, request.form),
        )
    except SafetyCheck as check:
        # Words of danger: the writer sees where to find help before anything is sent.
        return help_first(
            check,
            written=[
                (key, _LABELS.get(key.split("-")[-1], N_("Your words")))
                for key in request.form
                if _WRITTEN.match(key)
            ],
            source=N_("a repair step"),
            back=url_for("repairs.show", repair_id=repair_id),
        )
    except services.RepairPaused:
        # A pause began while they were writing: keep every word for when it is over.
        return _render(
            pairing, queries.as_it_stands(repair), form=request.form, status=409, kept=True
        )
    except DomainError as error:
        if error.status == 404:
            abort(404)
        # The repair moved on (or it was not my step): say so, and keep what I wrote.
        return _render(
            pairing,
            queries.as_it_stands(repair),
            status=error.status,
            unsent=_written(request.form),
            notice=str(error),
        )
    return redirect(url_for("repairs.show", repair_id=repair_id))


@bp.route("/<repair_id>/pause", methods=["GET", "POST"])
@login_required
def pause(repair_id: str):
    pairing = couple_or_404()
    repair = _find(pairing, repair_id, lock=request.method == "POST")
    if request.method == "GET":
        _form, errors, _notice = drafts.restore()  # a refused pause, kept
        return render_template(
            "repairs/pause.html",
            pairing=pairing,
            repair=repair,
            ui=UI,
            errors=errors,
            paused=queries.is_paused(repair, utcnow()),
            zone=ZoneInfo(pairing.me.timezone),
        )
    raw = request.form.get("minutes", "")
    minutes = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else raw
    try:
        services.pause(pairing=pairing, repair=repair, body={"minutes": minutes}, now=utcnow())
    except Invalid as error:
        return drafts.refuse(url_for("repairs.pause", repair_id=repair_id), errors=error.errors)
    except DomainError as error:
        flash(str(error), "info")
    return redirect(url_for("repairs.show", repair_id=repair_id))


@bp.route("/<repair_id>/resume", methods=["POST"])
@login_required
def resume(repair_id: str):
    pairing = couple_or_404()
    repair = _find(pairing, repair_id, lock=True)
    try:
        services.resume(pairing=pairing, repair=repair, now=utcnow())
    except DomainError as error:
        flash(str(error), "info")
    return redirect(url_for("repairs.show", repair_id=repair_id))


@bp.route("/<repair_id>/close", methods=["GET", "POST"])
@login_required
def close(repair_id: str):
    pairing = couple_or_404()
    repair = _find(pairing, repair_id, lock=request.method == "POST")
    if request.method == "GET":
        form, errors, _notice = drafts.restore()  # a refused closing note, kept
        return render_template(
            "repairs/close.html", pairing=pairing, repair=repair, errors=errors, form=form
        )
    body = {"note": request.form.get("note", "")}
    if seen_on_page():
        body["send_anyway"] = True
    try:
        services.close(pairing=pairing, repair=repair, body=body, now=utcnow())
    except SafetyCheck as check:
        return help_first(
            check,
            written=[("note", N_("A note"))],
            source=N_("a note closing a repair"),
            back=url_for("repairs.show", repair_id=repair_id),
        )
    except Invalid as error:
        return drafts.refuse(url_for("repairs.close", repair_id=repair_id), errors=error.errors)
    except DomainError as error:
        flash(str(error), "info")
        return redirect(url_for("repairs.show", repair_id=repair_id))
    flash(_("Closed. You can open a new repair whenever you need one."), "success")
    return redirect(url_for("repairs.show", repair_id=repair_id))


@bp.route("/<repair_id>/follow-ups/<follow_up_id>", methods=["POST"])
@login_required
def follow_up(repair_id: str, follow_up_id: str):
    pairing = couple_or_404()
    repair = _find(pairing, repair_id, lock=True)
    try:
        queries.find_follow_up(repair, follow_up_id)
    except NotFound:
        abort(404)
    body = {"outcome": request.form.get("outcome", ""), "note": request.form.get("note", "")}
    if seen_on_page():
        body["send_anyway"] = True
    try:
        services.answer_follow_up(
            pairing=pairing, repair=repair, follow_up_id=follow_up_id, body=body, now=utcnow()
        )
    except SafetyCheck as check:
        return help_first(
            check,
            written=[("note", N_("A note"))],
            source=N_("a follow-up note"),
            back=url_for("repairs.show", repair_id=repair_id),
        )
    except Invalid as error:
        errors = {f"{follow_up_id}-{k}": v for k, v in error.errors.items()}
        return drafts.refuse(url_for("repairs.show", repair_id=repair_id), errors=errors)
    except DomainError as error:
        flash(str(error), "info")
    return redirect(url_for("repairs.show", repair_id=repair_id))


# ---------------------------------------------------------------- a repair of trust


def _trust_action(repair_id: str, act):
    """Run ``act(pairing, repair, now)`` for a form of the trust section; a refused form
    goes back to the repair's page with its words kept."""
    pairing = couple_or_404()
    repair = _find(pairing, repair_id, lock=True)
    back = url_for("repairs.show", repair_id=repair_id)
    try:
        act(pairing, repair, utcnow())
    except SafetyCheck as check:
        return help_first(
            check,
            written=[(k, N_("My words")) for k in ("question", "answer") if request.form.get(k)],
            source=N_("a repair of trust"),
            back=back,
        )
    except Invalid as error:
        return drafts.refuse(back, errors=error.errors)
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(str(error), "info")
    return redirect(back)


@bp.route("/<repair_id>/questions", methods=["POST"])
@login_required
def ask_question(repair_id: str):
    def act(pairing, repair, now):
        trust.check(repair, pairing, machine.HURT)
        body = validate(QuestionIn, {"question": request.form.get("question", "")})
        trust.ask(
            pairing=pairing,
            repair=repair,
            question=body["question"].strip(),
            now=now,
            seen=seen_on_page(),
        )

    return _trust_action(repair_id, act)


@bp.route("/<repair_id>/questions/<question_id>/answer", methods=["POST"])
@login_required
def answer_question(repair_id: str, question_id: str):
    def act(pairing, repair, now):
        trust.question_to_answer(repair, pairing, question_id)
        try:
            body = validate(QuestionAnswerIn, {"answer": request.form.get("answer", "")})
        except Invalid as error:
            raise Invalid(errors={f"{question_id}-answer": error.errors["answer"]}) from None
        trust.answer(
            pairing=pairing,
            repair=repair,
            question_id=question_id,
            text=body["answer"].strip(),
            now=now,
            seen=seen_on_page(),
        )

    return _trust_action(repair_id, act)


@bp.route("/<repair_id>/trust-checkins", methods=["POST"])
@login_required
def plan_trust_checkins(repair_id: str):
    def act(pairing, repair, now):
        trust.check(repair, pairing, machine.HURT)
        weeks = request.form.get("weeks", "")
        number = int(weeks) if weeks.isascii() and weeks.isdigit() and len(weeks) < 3 else None
        body = validate(TrustWeeksIn, {"weeks": number} if number is not None else {})
        trust.plan_checks(pairing=pairing, repair=repair, weeks=body["weeks"], now=now)

    return _trust_action(repair_id, act)


@bp.route("/<repair_id>/trust-checkins/<int:week>", methods=["POST"])
@login_required
def answer_trust_checkin(repair_id: str, week: int):
    def act(pairing, repair, now):
        trust.week_to_answer(repair, pairing, week, now)
        score = request.form.get("score", "")
        data = {"note": request.form.get("note", "") or None}
        if score.isascii() and score.isdigit() and len(score) == 1:
            data["score"] = int(score)
        body = validate(TrustCheckIn, data)
        trust.answer_check(
            pairing=pairing,
            repair=repair,
            week=week,
            score=body["score"],
            note=(body.get("note") or "").strip() or None,
            now=now,
        )

    return _trust_action(repair_id, act)


@bp.route("/help")
@login_required
def help_page():
    return render_template(
        "repairs/help.html",
        guidance=signpost.THERAPY_GUIDANCE,
        emergency=signpost.EMERGENCY,
        danger=request.args.get("for") == "safety",
    )
