"""Love-language pages: both profiles with ideas, the quiz, ordering by hand."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from couples import drafts
from couples.clock import utcnow
from couples.errors import Invalid
from couples.i18n import N_
from couples.lovelanguages import content, services
from couples.web import current_pairing, me

bp = Blueprint("love", __name__, url_prefix="/love-languages")
PLACES = (N_("Most of all"), N_("Second"), N_("Third"), N_("Fourth"), N_("Fifth"))


@bp.route("")
@login_required
def profiles():
    pairing = current_pairing()
    partner = pairing.partner if pairing else None
    found = services.profiles([me().id] + ([partner.id] if partner else []))
    return render_template(
        "love/profiles.html",
        mine=found.get(me().id),
        partner=partner,
        theirs=found.get(partner.id) if partner else None,
        labels=content.LANGUAGE_LABELS,
        ideas=content.IDEAS,
    )


@bp.route("/quiz", methods=["GET", "POST"])
@login_required
def quiz():
    if request.method == "POST":
        choices = {
            pair.key: request.form[pair.key] for pair in content.QUIZ if request.form.get(pair.key)
        }
        try:
            services.take_quiz(user=me(), choices=choices, now=utcnow())
        except Invalid as error:
            return drafts.refuse(
                url_for("love.quiz"),
                errors={k.removeprefix("choices."): v for k, v in error.errors.items()},
            )
        flash(_("Thank you. Here is what matters most to you."), "success")
        return redirect(url_for("love.profiles"))
    form, errors, _notice = drafts.restore()
    return render_template(
        "love/quiz.html",
        quiz=content.QUIZ,
        prompt=content.QUIZ_PROMPT,
        errors=errors,
        form=form,
    )


@bp.route("/order", methods=["GET", "POST"])
@login_required
def order():
    if request.method == "POST":
        ranking = [request.form.get(f"place-{n}", "") for n in range(5)]
        try:
            services.set_ranking(user=me(), ranking=ranking, now=utcnow())
        except Invalid as error:
            return drafts.refuse(url_for("love.order"), errors=error.errors)
        flash(_("Saved."), "success")
        return redirect(url_for("love.profiles"))
    form, errors, _notice = drafts.restore()
    if errors:  # the refused order, as it was chosen
        current = [form.get(f"place-{n}", "") for n in range(5)]
    else:
        found = services.profiles([me().id]).get(me().id)
        current = list(found.ranking) if found else list(content.LANGUAGES)
    return render_template(
        "love/order.html",
        current=current,
        places=PLACES,
        labels=content.LANGUAGE_LABELS,
        errors=errors,
    )
