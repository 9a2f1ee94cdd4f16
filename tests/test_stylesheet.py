"""The stylesheet keeps to one type scale and one spacing scale, so pages written at
different times still look like one app."""

import re
from pathlib import Path

CSS = (Path(__file__).resolve().parent.parent / "static" / "css" / "app.css").read_text()
SPACING = {"0", "0.125", "0.25", "0.5", "0.75", "1", "1.5", "2"}
OFF_SCALE = ".odd { font-size: 0.93rem; margin: 0 0.4rem; gap: 0.3rem; }"


def declarations(css: str, *properties: str) -> list[tuple[str, str]]:
    """(property, value) for each declaration of these properties, comments left out."""
    text = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    names = "|".join(properties)
    return [(p, v.strip()) for p, v in re.findall(rf"(?<![\w-])({names}):\s*([^;}}]+)", text)]


def font_sizes_off_scale(css: str) -> list[str]:
    return [
        value
        for _, value in declarations(css, "font-size")
        if not re.fullmatch(r"var\(--step-{1,2}\d\)", value)
        and value != "12px"  # chart labels, in the chart's own SVG units
    ]


def spacing_off_scale(css: str) -> list[str]:
    return [
        f"{prop}: {value}"
        for prop, value in declarations(css, "margin", "margin-[a-z-]+", "gap", "row-gap")
        if any(n not in SPACING for n in re.findall(r"([0-9.]+)rem", value))
    ]


def test_the_type_scale_has_five_steps():
    assert set(re.findall(r"--(step-{1,2}\d):", CSS)) == {
        "step--2",
        "step--1",
        "step-0",
        "step-1",
        "step-2",
    }


def test_every_font_size_is_a_step_of_the_type_scale():
    assert font_sizes_off_scale(CSS) == []


def test_every_margin_and_gap_is_on_the_spacing_scale():
    assert spacing_off_scale(CSS) == []


def test_a_rule_off_the_scales_is_found():
    assert font_sizes_off_scale(OFF_SCALE) == ["0.93rem"]
    assert spacing_off_scale(OFF_SCALE) == ["margin: 0 0.4rem", "gap: 0.3rem"]


PHYSICAL = re.compile(
    r"(?<![\w-])(?:(?:margin|padding|border)-(?:left|right)|left|right)\s*:"
    r"|text-align:\s*(?:left|right)\b|float:\s*(?:left|right)\b"
)


def physical_sides(css: str) -> list[str]:
    """Declarations that name a side (left, right) where a language's direction
    (inline start, end) is meant."""
    text = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return [match.group() for match in PHYSICAL.finditer(text)]


def test_nothing_assumes_left_to_right():
    assert physical_sides(CSS) == []


def test_a_side_named_physically_is_found():
    found = physical_sides(".x { margin-left: 1rem; text-align: right; left: 0; }")
    assert len(found) == 3
