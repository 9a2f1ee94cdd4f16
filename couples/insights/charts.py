"""Small inline SVG charts, drawn on the server (no chart library, no script), each with
a title and a description for screen readers. Pure: no Flask."""

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT, PAD = 320, 140, 24
BAR_WIDTH = 200


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
        x = PAD + (WIDTH - 2 * PAD) * i / count
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value - low) / span
        out.append((round(x, 1), round(y, 1)))
    return out


def _path(points) -> str:
    parts, pen_down = [], False
    for point in points:
        if point is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{point[0]},{point[1]}")
        pen_down = True
    return " ".join(parts)


def line_chart(
    chart_id: str,
    title: str,
    description: str,
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    low: float,
    high: float,
) -> str:
    """``series``: (css class, name, values). Gaps (None) break the line."""
    body = []
    for level in (low, high):  # grid lines at the ends of the scale
        y = _points([level], low, high)[0][1]
        body.append(f'<line class="axis" x1="{PAD}" y1="{y}" x2="{WIDTH - PAD}" y2="{y}"/>')
    for css, name, values in series:
        points = _points(values, low, high)
        if any(points):
            body.append(
                f'<path class="line {escape(css)}" d="{_path(points)}">'
                f"<title>{escape(name)}</title></path>"
            )
            body.extend(
                f'<circle class="dot {escape(css)}" cx="{p[0]}" cy="{p[1]}" r="2.5"/>'
                for p in points
                if p
            )
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
