"""The insights page: charts drawn on the server, each with its words."""

from flask import Blueprint, render_template, request
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from couples.clock import utcnow
from couples.i18n import N_, current_language, format_moment, translated
from couples.insights import charts, services
from couples.lovelanguages.content import LANGUAGE_LABELS, LANGUAGES
from couples.web import couple_or_404

bp = Blueprint("insights", __name__)


def _average(values) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 1) if present else None


def _said(name: str, values, scale: int) -> str:
    average = _average(values)
    answered = sum(v is not None for v in values)
    if average is None:
        return _("%(name)s: no shared check-ins in this period.", name=name)
    days = ngettext("%(num)d day", "%(num)d days", answered)
    return _(
        "%(name)s: %(average)s out of %(scale)s on average, over %(days)s.",
        name=name,
        # "3.5" in English as ever; the language's own decimal mark otherwise ("3,5")
        average=average if current_language() == "en" else format_decimal(average, "0.0"),
        scale=scale,
        days=days,
    )


def _felt_against_stated(
    partner: str | None, top: str | None, blocks, felt: dict[str, int]
) -> str | None:
    """Their stated top language against the evenings they felt it, block by block (oldest
    first), and the gap in words: which language they felt more often, if one.
    ``partner``: their name, or None for mine."""
    if top is None or not any(of for _n, of in blocks):
        return None
    label = translated(LANGUAGE_LABELS[top]).lower()
    parts = _(", then ").join(_("%(n)s of %(of)s", n=n, of=of) for n, of in blocks if of)
    if partner is None:
        said = _(
            "Your top language, %(label)s: felt on %(parts)s evenings.", label=label, parts=parts
        )
    else:
        said = _(
            "%(name)s's top language, %(label)s: felt on %(parts)s evenings.",
            name=partner,
            label=label,
            parts=parts,
        )
    most = max(LANGUAGES, key=lambda lang: (felt[lang], lang == top))
    if most != top and felt[most] > felt[top]:
        more = _(
            "%(language)s came up more often (%(count)s).",
            language=translated(LANGUAGE_LABELS[most]),
            count=felt[most],
        )
        return f"{said} {more}"
    most_felt = _("It's the one felt most.")
    return f"{said} {most_felt}"


@bp.route("/insights")
@login_required
def page():
    pairing = couple_or_404()
    raw = request.args.get("days", "30")
    days = int(raw) if raw in ("7", "30", "90") else 30
    data = services.insights(pairing=pairing, days=days, now=utcnow())
    partner = pairing.partner.display_name
    # Beyond a month, a point a day is too many to read: a week's average each.
    by_week = days > 30
    # A key the page compares, shown translated (``| tr``).
    every = N_("weekly average") if by_week else N_("day by day")

    def series(values):
        if not by_week:
            return values, data.dates[0], data.dates[-1]
        weeks = charts.weekly(data.dates, values)
        return [w[2] for w in weeks], weeks[0][0], weeks[-1][1]

    def chart(chart_id, name, values_of, ends, said):
        mine, first, last = series(values_of["me"])
        theirs, _first, _last = series(values_of["partner"])
        return {
            "svg": Markup(  # noqa: S704 (the chart escapes what it draws)
                charts.line_chart(
                    chart_id,
                    f"{name}, {translated(every)}",
                    " ".join(said),
                    [("me", _("You"), mine), ("partner", partner, theirs)],
                    1,
                    5,
                )
            ),
            "low": f"1 · {ends[0]}",
            "high": f"5 · {ends[1]}",
            "first": format_moment(first, "%-d %b"),
            "last": format_moment(last, "%-d %b"),
        }

    you = _("You")
    needs_text = [
        _said(you, data.needs_met["me"], 5),
        _said(partner, data.needs_met["partner"], 5),
    ]
    mood_text = [_said(you, data.mood["me"], 5), _said(partner, data.mood["partner"], 5)]
    svg = {
        "needs": chart(
            "needs", _("Needs met"), data.needs_met, (_("Not at all"), _("Fully")), needs_text
        ),
        "mood": chart("mood", _("Mood"), data.mood, (_("Low"), _("Bright")), mood_text),
    }
    top = max([*data.felt["me"].values(), *data.felt["partner"].values(), 1])
    felt_rows = [
        (
            translated(LANGUAGE_LABELS[lang]),
            Markup(  # noqa: S704 (the chart escapes what it draws)
                charts.bar_row(
                    [
                        ("me", you, data.felt["me"][lang]),
                        ("partner", partner, data.felt["partner"][lang]),
                    ],
                    top,
                )
            ),
        )
        for lang in LANGUAGES
    ]
    felt_text = [
        _felt_against_stated(None, data.top["me"], data.top_felt["me"], data.felt["me"]),
        _felt_against_stated(
            partner, data.top["partner"], data.top_felt["partner"], data.felt["partner"]
        ),
    ]
    return render_template(
        "insights/page.html",
        felt_text=[line for line in felt_text if line],
        data=data,
        pairing=pairing,
        felt_rows=felt_rows,
        svg=svg,
        needs_text=needs_text,
        mood_text=mood_text,
        labels=LANGUAGE_LABELS,
        languages=LANGUAGES,
        periods=services.PERIODS,
        every=every,
    )
