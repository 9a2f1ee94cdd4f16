"""Words in a template that reach the reader without going through gettext."""

import re

JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
TRANS_BLOCK = re.compile(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", re.S)
EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)
STATEMENT = re.compile(r"\{%.*?%\}", re.S)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
CODE = re.compile(r"<(script|style)\b[^>]*>.*?</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]*>", re.S)
# Attributes whose values a person reads (or hears).
READ_ATTRIBUTES = re.compile(
    r"""\b(alt|title|aria-label|placeholder|aria-placeholder|content|value)\s*=\s*("[^"]*"|'[^']*')""",
    re.I,
)
ENTITY = re.compile(r"&[a-zA-Z]+;|&#\d+;")
# Text that is the same in every language: the app's name, and marks.
SAME_EVERYWHERE = re.compile(r"\bCouples\b|§")


def _words(text: str) -> str | None:
    text = SAME_EVERYWHERE.sub(" ", ENTITY.sub(" ", text))
    return text.strip() if re.search(r"[^\W\d_]{2,}", text) else None


def unmarked(source: str) -> list[str]:
    """Each piece of text (and read attribute value) not marked for translation."""
    text = JINJA_COMMENT.sub("", source)
    text = TRANS_BLOCK.sub("§", text)
    text = EXPRESSION.sub("§", text)
    text = STATEMENT.sub(" ", text)
    text = HTML_COMMENT.sub(" ", text)
    text = CODE.sub(" ", text)
    found = []
    for tag in TAG.findall(text):
        for name, value in READ_ATTRIBUTES.findall(tag):
            if name.lower() == "content" and 'name="description"' not in tag:
                continue  # meta content other than the description: not for reading
            if name.lower() == "value" and not (
                tag.lower().startswith("<input") and re.search(r"type=\"(submit|button)\"", tag)
            ):
                continue  # a field's (or a button's hidden) value is not read
            words = _words(value[1:-1])
            if words:
                found.append(f'{name}="{words}"')
    for piece in TAG.split(text):
        words = _words(piece)
        if words:
            found.append(" ".join(words.split()))
    return found


# A script's string literal, with what comes just before it.
_LITERAL = re.compile(
    r"""(?P<before>[^\n]{0,40}?)(?P<q>["'`])(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)"""
)
_MARKED = re.compile(r"(?:\b_|\bngettext)\(\s*$|\bngettext\([^()]*,\s*$")
# Selectors, ids, class lists (lower case, no punctuation), file names.
_NOT_WORDS = re.compile(r"[\[\]#=<>{}]|^\s*$|\.js$|^[a-z]+(?:[ -][a-z]+)*$|^[a-z]+(\.[a-z]+)+$")
_NOT_READ = re.compile(
    r"console\.\w+\($|querySelector(All)?\($|closest\($|matchMedia\($|import\($|from\s*$"
    r"|className\s*=\s*$|classList\.\w+\($|new Error\($"
)


def unmarked_script(source: str) -> list[str]:
    """Each string literal of a script that reads like words (a letter, a space) but does
    not go through ``_()`` or ``ngettext()``."""
    source = re.sub(r"^\s*//.*$", "", source, flags=re.M)  # whole-line comments
    found = []
    after_first = False  # the literal before was ngettext's first argument
    for match in _LITERAL.finditer(source):
        text = match.group("text")
        before = match.group("before")
        second, after_first = after_first, bool(re.search(r"\bngettext\(\s*$", before))
        if second and re.fullmatch(r"\s*,\s*", before):
            continue
        if text == "use strict":
            continue
        if " " not in text.strip() or not re.search(r"[A-Za-z]{2,}", text):
            continue
        if _NOT_WORDS.search(text) or _NOT_READ.search(before) or _MARKED.search(before):
            continue
        found.append(text)
    return found
