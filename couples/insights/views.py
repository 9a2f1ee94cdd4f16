"""The insights page: charts drawn on the server, each with its words."""

from flask import Blueprint, render_template, request
from flask_login import login_required
from markupsafe import Markup

from couples.clock import utcnow
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
        return f"{name}: no shared check-ins in this period."
    days = "1 day" if answered == 1 else f"{answered} days"
    return f"{name}: {average} out of {scale} on average, over {days}."


def _felt_against_stated(who: str, top: str | None, blocks, felt: dict[str, int]) -> str | None:
    """Their stated top language against the evenings they felt it, block by block (oldest
    first), and the gap in words: which language they felt more often, if one."""
    if top is None or not any(of for _, of in blocks):
        return None
    label = LANGUAGE_LABELS[top].lower()
    parts = [f"{n} of {of}" for n, of in blocks if of]
    said = f"{who} top language, {label}: felt on {', then '.join(parts)} evenings."
    most = max(LANGUAGES, key=lambda lang: (felt[lang], lang == top))
    if most != top and felt[most] > felt[top]:
        return f"{said} {LANGUAGE_LABELS[most]} came up more often ({felt[most]})."
    return f"{said} It's the one felt most."


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
    every = "weekly average" if by_week else "day by day"

    def series(values):
        if not by_week:
            return values, data.dates[0], data.dates[-1]
        weeks = charts.weekly(data.dates, values)
        return [w[2] for w in weeks], weeks[0][0], weeks[-1][1]

    def chart(chart_id, name, values_of, ends, said):
        mine, first, last = series(values_of["me"])
        theirs, _, _ = series(values_of["partner"])
        return {
            "svg": Markup(  # noqa: S704 (the chart escapes what it draws)
                charts.line_chart(
                    chart_id,
                    f"{name}, {every}",
                    " ".join(said),
                    [("me", "You", mine), ("partner", partner, theirs)],
                    1,
                    5,
                )
            ),
            "low": f"1 · {ends[0]}",
            "high": f"5 · {ends[1]}",
            "first": first.strftime("%-d %b"),
            "last": last.strftime("%-d %b"),
        }

    needs_text = [
        _said("You", data.needs_met["me"], 5),
        _said(partner, data.needs_met["partner"], 5),
    ]
    mood_text = [_said("You", data.mood["me"], 5), _said(partner, data.mood["partner"], 5)]
    svg = {
        "needs": chart("needs", "Needs met", data.needs_met, ("Not at all", "Fully"), needs_text),
        "mood": chart("mood", "Mood", data.mood, ("Low", "Bright"), mood_text),
    }
    top = max([*data.felt["me"].values(), *data.felt["partner"].values(), 1])
    felt_rows = [
        (
            LANGUAGE_LABELS[lang],
            Markup(  # noqa: S704 (the chart escapes what it draws)
                charts.bar_row(
                    [
                        ("me", "You", data.felt["me"][lang]),
                        ("partner", partner, data.felt["partner"][lang]),
                    ],
                    top,
                )
            ),
        )
        for lang in LANGUAGES
    ]
    felt_text = [
        _felt_against_stated("Your", data.top["me"], data.top_felt["me"], data.felt["me"]),
        _felt_against_stated(
            f"{partner}'s", data.top["partner"], data.top_felt["partner"], data.felt["partner"]
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
