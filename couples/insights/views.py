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


@bp.route("/insights")
@login_required
def page():
    pairing = couple_or_404()
    raw = request.args.get("days", "30")
    days = int(raw) if raw in ("7", "30", "90") else 30
    data = services.insights(pairing=pairing, days=days, now=utcnow())
    partner = pairing.partner.display_name
    needs_text = [
        _said("You", data.needs_met["me"], 5),
        _said(partner, data.needs_met["partner"], 5),
    ]
    mood_text = [_said("You", data.mood["me"], 5), _said(partner, data.mood["partner"], 5)]
    svg = {
        "needs": charts.line_chart(
            "needs",
            "Needs met, day by day",
            " ".join(needs_text),
            [("me", "You", data.needs_met["me"]), ("partner", partner, data.needs_met["partner"])],
            1,
            5,
        ),
        "mood": charts.line_chart(
            "mood",
            "Mood, day by day",
            " ".join(mood_text),
            [("me", "You", data.mood["me"]), ("partner", partner, data.mood["partner"])],
            1,
            5,
        ),
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
    return render_template(
        "insights/page.html",
        data=data,
        pairing=pairing,
        felt_rows=felt_rows,
        svg={k: Markup(v) for k, v in svg.items()},  # noqa: S704
        needs_text=needs_text,
        mood_text=mood_text,
        labels=LANGUAGE_LABELS,
        languages=LANGUAGES,
        periods=services.PERIODS,
    )
