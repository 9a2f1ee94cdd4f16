"""Small inline SVG charts, drawn on the server (no chart library, no script), each with
a title and a description for screen readers. Pure: no Flask."""

from collections.abc import Sequence
from datetime import date
from html import escape

WIDTH, HEIGHT = 320, 150
LEFT, RIGHT = 10, 10
TOP, BOTTOM = 8, 142  # the lines of the highest and the lowest value
BAR_WIDTH = 200


def weekly(dates: Sequence[date], values: Sequence[float | None]):
    """Weekly averages: weeks of seven dates counted back from the last one (the first
    may be shorter), each (first date, last date, average of the answered dates or
    None)."""
    weeks = []
    end = len(values)
    while end > 0:
        start = max(0, end - 7)
        present = [v for v in values[start:end] if v is not None]
        average = round(sum(present) / len(present), 2) if present else None
        weeks.append((dates[start], dates[end - 1], average))
        end = start
    return weeks[::-1]


def _points(
    values: Sequence[float | None], low: float, high: float
) -> list[tuple[float, float] | None]:
    count = max(len(values) - 1, 1)
    span = (high - low) or 1
    out = []
    for i, value in enumerate(values):
        if value is None:
            out.append(None)
            continue
        x = LEFT + (WIDTH - LEFT - RIGHT) * i / count
        y = BOTTOM - (BOTTOM - TOP) * (value - low) / span
        out.append((round(x, 1), round(y, 1)))
    return out


def _path(points) -> str:
    """One line through the answered points: a date without an answer has no point, and
    the line goes on to the next one (the trend, not a gap, is what is read here)."""
    present = [p for p in points if p is not None]
    return " ".join(f"{'L' if i else 'M'}{x},{y}" for i, (x, y) in enumerate(present))


def _marker(css: str, shape: str, x: float, y: float) -> str:
    if shape == "square":
        return f'<rect class="dot {css}" x="{x - 3}" y="{y - 3}" width="6" height="6"/>'
    return f'<circle class="dot {css}" cx="{x}" cy="{y}" r="3.2"/>'


def line_chart(
    chart_id: str,
    title: str,
    description: str,
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    low: float,
    high: float,
) -> str:
    """``series``: (css class, name, values). The first series is drawn solid with round
    markers, the next dashed with square ones: told apart without colour. The words for
    the ends of the scale and of the period are the page's, around the chart."""
    body = []
    for level in (high, low):
        y = _points([level], low, high)[0][1]
        body.append(f'<line class="axis" x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}"/>')
    for n, (css, name, values) in enumerate(series):
        points = _points(values, low, high)
        if any(points):
            css = escape(css)
            body.append(
                f'<path class="line {css}" d="{_path(points)}"><title>{escape(name)}</title></path>'
            )
            shape = "circle" if n == 0 else "square"
            body.extend(_marker(css, shape, p[0], p[1]) for p in points if p)
    return _svg(chart_id, title, description, "".join(body))


def bar_row(bars: Sequence[tuple[str, str, int]], top: int) -> str:
    """One row of a bar chart, without words (the page writes the label and a table next
    to it, so this is hidden from screen readers): (css class, name, value) per bar."""
    top = top or 1
    body = "".join(
        f'<rect class="bar {escape(css)}" x="0" y="{i * 10}" '
        f'width="{round(BAR_WIDTH * value / top, 1)}" height="8"/>'
        for i, (css, _, value) in enumerate(bars)
    )
    height = 10 * len(bars)
    return (
        f'<svg class="bars" viewBox="0 0 {BAR_WIDTH} {height}" aria-hidden="true" '
        f'focusable="false" preserveAspectRatio="none">{body}</svg>'
    )


def _svg(chart_id: str, title: str, description: str, body: str, height: int = HEIGHT) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(description)}</desc>{body}</svg>'
    )
