"""Words in a template, a script or Python that reach the reader without going through
gettext."""

import ast
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
    not go through ``_()``, ``pgettext()`` or ``ngettext()``."""
    source = re.sub(r"^\s*//.*$", "", source, flags=re.M)  # whole-line comments
    found = []
    after_first = False  # the literal before was ngettext's or pgettext's first argument
    for match in _LITERAL.finditer(source):
        text = match.group("text")
        before = match.group("before")
        second, after_first = after_first, bool(re.search(r"\b[np]gettext\(\s*$", before))
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


# ------------------------------------------------------------------------------ Python

# The translation functions: their arguments are marked.
MARKERS = {"_", "gettext", "ngettext", "pgettext", "npgettext", "N_", "lazy_gettext"}
# Calls whose words are for the people who run the app, not for partners.
FOR_OPERATORS = re.compile(
    r"^(log|logger|logging|_log|_logger|current_app\.logger|app\.logger|click|warnings)\."
    r"|^(print|RuntimeError|ValueError|TypeError|KeyError|AssertionError|NotImplementedError"
    r"|LookupError|OSError|SystemExit|Exception|click\.\w+)$"
)
# Keyword arguments and dict keys whose words are for developers (the OpenAPI document,
# command help) or are not words at all.
FOR_DEVELOPERS = {
    "description",
    "summary",
    "help",
    "example",
    "metavar",
    "doc",
    "ondelete",
    "last_error",
}
# Methods whose string arguments are looked for in text, never shown.
LOOKING_FOR = {"startswith", "endswith", "search", "match", "fullmatch", "finditer", "compile"}
# A line that says so keeps its words as they are: a name (an organisation's, a browser's).
NAME_COMMENT = "# same in every language"
# Words never shown (looked for in what people write, or an internal message): said on
# the string's line, or on the first line of the list, set or call that holds them.
NEVER_SHOWN = "# never shown"
WORDS = re.compile(r"[^\W\d_]{2,}")


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return _name(node.func)
    return ""


def reads_like_words(text: str) -> bool:
    """Two words or more with a space: a sentence, a label or a phrase ("your partner"),
    with any ``{placeholder}`` left out; not a key, a code, a path, SQL or a pattern."""
    text = re.sub(r"\{[^{}]*\}", " ", text).strip()
    if len(WORDS.findall(text)) < 2 or " " not in text:
        return False
    if re.search(r"[{}<>_=\\|#@]|://|\(\?|^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA)\b", text):
        return False
    if re.search(r"^[A-Z]|[.!?…]$", text):
        return True
    # A lower-case phrase: words only (a CSS value or a list of keys has other marks).
    return bool(re.fullmatch(r"[a-z][a-z' ]*[a-z]", text)) and len(text.split()) >= 2


def unmarked_python(source: str) -> list[str]:
    """Each string literal (and f-string) of a module that reads like words but is not an
    argument of a translation function, a docstring, or words for the people who run the
    app (logs, internal errors, the OpenAPI document's descriptions)."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))
        elif isinstance(node, ast.Call):
            name = _name(node.func)
            last = name.rsplit(".", 1)[-1]
            if last in MARKERS or last in LOOKING_FOR or FOR_OPERATORS.search(name):
                for inner in ast.walk(node):
                    skip.add(id(inner))
            for keyword in node.keywords:
                if keyword.arg in FOR_DEVELOPERS:
                    for inner in ast.walk(keyword.value):
                        skip.add(id(inner))
        elif isinstance(node, ast.Raise) and node.exc is not None:
            if FOR_OPERATORS.search(_name(node.exc)):
                for inner in ast.walk(node.exc):
                    skip.add(id(inner))
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in FOR_DEVELOPERS:
                    for inner in ast.walk(value):
                        skip.add(id(inner))
        elif isinstance(node, ast.Assert | ast.Compare):  # compared, not shown
            for inner in ast.walk(node):
                skip.add(id(inner))
    lines = source.splitlines()
    for node in ast.walk(tree):
        if isinstance(node, ast.expr) and NEVER_SHOWN in lines[node.lineno - 1]:
            for inner in ast.walk(node):
                skip.add(id(inner))
    found = []
    for node in ast.walk(tree):
        if id(node) in skip or not hasattr(node, "lineno"):
            continue
        if any(NAME_COMMENT in lines[n - 1] for n in range(node.lineno, node.end_lineno + 1)):
            continue
        if isinstance(node, ast.JoinedStr):
            parts = [part.value if isinstance(part, ast.Constant) else "{}" for part in node.values]
            if reads_like_words(" ".join("".join(parts).split("{}"))):
                found.append(f"{node.lineno}: f{''.join(parts)!r}")
            skip.update(id(part) for part in node.values)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and reads_like_words(node.value)
        ):
            found.append(f"{node.lineno}: {node.value!r}")
    return sorted(found, key=lambda line: int(line.split(":")[0]))
