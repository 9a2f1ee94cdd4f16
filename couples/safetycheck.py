"""The safety check before words reach the partner (DESIGN section 4, signposting).

Every service that stores free text for the partner calls ``before_sending`` with the
fields it is about to store, once its other checks have passed. When the words touch a
topic of ``couples.safety`` and the writer has not yet seen where to find help, nothing
is stored: ``SafetyCheck`` (409) is raised. The API answers it as problem+json with the
help and the fields; the pages show the help first (``help_first``) and let the writer
send as written, edit, or keep the words to themselves. Sending again with
``send_anyway: true`` (a hidden field on the pages) stores them.

The partner is never told a check happened: no notification, nothing in their API, and
the words are never logged."""

from collections.abc import Mapping

from flask import render_template, request, url_for
from flask_babel import gettext as _

from couples import safety
from couples.errors import Conflict
from couples.extensions import db
from couples.i18n import N_, translated
from couples.repair.signpost import EMERGENCY, ONLY_YOU
from couples.validation import Flag

SEND_ANYWAY = "send_anyway"
QUICK_EXIT = "https://www.bbc.co.uk/weather"


def SendAnyway():
    """The ``send_anyway`` field of every body whose words reach the partner."""
    return Flag(
        load_default=False,
        metadata={
            "description": (
                "true once the writer has seen where to find help (the 409 "
                "/problems/safety-check answer) and chooses to send these words as written."
            )
        },
    )


# The section of the emergency resources for someone thinking of harming themselves (its
# title, kept in English as the resources are).
_SELF_HARM_SECTION = N_("If you're thinking of harming yourself")


def help_sections(topics) -> list:
    """The sections of the emergency resources that have numbers to call, the most
    fitting first: a crisis line first when the words are about harming oneself."""
    sections = [s for s in EMERGENCY.sections if s.lines]
    if safety.SELF_HARM in topics:
        sections.sort(key=lambda s: s.title != _SELF_HARM_SECTION)
    return sections


def resources(topics) -> dict:
    """The help, as the API gives it in the 409 answer's body, in the reader's language
    (the lines' own names stay as they are)."""
    return {
        "title": translated(EMERGENCY.title),
        "intro": translated(EMERGENCY.intro),
        "sections": [
            {
                "title": translated(s.title),
                "items": [translated(item) for item in s.items],
                "lines": [
                    {
                        "name": translated(line.name),
                        "region": translated(line.region),
                        "number": line.number,
                        "dial": line.dial,
                        "note": translated(line.note),
                    }
                    for line in s.lines
                ],
            }
            for s in help_sections(topics)
        ],
        "help_page": "/repairs/help?for=safety",
        "quick_exit": QUICK_EXIT,
        "note": translated(ONLY_YOU),
    }


class SafetyCheck(Conflict):
    """The words suggest someone may not be safe and the writer has not seen the help
    yet: nothing was stored. ``fields``: each field concerned and its topics."""

    code, title = "safety-check", N_("Before you send this")

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__(
            _(
                "Some of these words sound like you may not be safe, so here is where to find "
                "help first. Nothing was sent. Send again with send_anyway: true to send them "
                "as written, change them, or keep them to yourself."
            )
        )
        self.fields = fields
        self.topics = sorted({t for ts in fields.values() for t in ts}, key=safety.TOPICS.index)
        self.extra = {"fields": fields, "resources": resources(self.topics)}


def before_sending(fields: Mapping[str, object], *, seen: bool) -> None:
    """Raise ``SafetyCheck`` (after rolling back the open transaction, so that nothing
    is stored) when ``fields`` touch a topic and the writer has not ``seen`` the help."""
    if seen:
        return
    found = safety.check(fields)
    if found:
        db.session.rollback()
        raise SafetyCheck(found)


def help_first(error: SafetyCheck, *, written: list[tuple[str, str]], source: str, back: str):
    """The page shown instead of sending: the help, then the words (still editable) and
    the choice to send them as written or keep them to myself. ``written``: the form's
    fields a person writes in, as (name, label); the rest of the form goes along hidden,
    so that sending again sends the same step. ``source`` says where the words were
    written, for the kept copy; ``back`` is where to go once they are kept."""
    from couples.web import current_pairing

    form = request.form
    names = {name for name, _ in written}
    words = [(name, label, form.get(name, "")) for name, label in written if form.get(name)]
    hidden = [
        (key, value)
        for key, value in form.items(multi=True)
        if key not in names and key not in ("csrf_token", SEND_ANYWAY)
    ]
    flagged = {name for name, _label, value in words if safety.topics(value)}
    pairing = current_pairing()
    return render_template(
        "safety/help_first.html",
        action=request.full_path.rstrip("?"),
        keep_action=url_for("kept.keep"),
        your_words=words,  # not "words": base.html sets its own
        flagged=flagged,
        hidden=hidden,
        source=source,
        back=back,
        sections=help_sections(error.topics),
        emergency=EMERGENCY,
        quick_exit=QUICK_EXIT,
        partner=pairing.partner.display_name if pairing else _("your partner"),
    )


def seen_on_page() -> bool:
    """Whether the page's form says the writer saw the help and chose to send."""
    return request.form.get(SEND_ANYWAY) == "1"
