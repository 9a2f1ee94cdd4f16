"""Drafts: a refused form, kept across the redirect after it (Post/Redirect/Get).

When a page's form is refused, what the person wrote and the messages are kept on the
server for this browser, and the browser is sent back to the form's own page, which
shows them again. Reloading that page then reloads a page, not a submission; nothing
written is lost. The browser's session holds only a random token; passwords and the
CSRF token are never kept, and the page's address only as a hash (a reset link's
address is itself a secret). A kept form goes at the next form that succeeds (even one
that starts a new session, as a login does), and after an hour whatever happens."""

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from flask import Flask, g, redirect, request, session
from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import ImmutableMultiDict

from couples.clock import utcnow
from couples.db import begin_write
from couples.extensions import db

log = logging.getLogger(__name__)

KEEP_FOR = timedelta(hours=1)
# Never written down, even for a moment.
NOT_KEPT = frozenset({"csrf_token", "password", "current_password", "new_password"})
SESSION_KEY = "draft"


class FormDraft(db.Model):
    __tablename__ = "form_drafts"
    __table_args__ = (Index(None, "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(300))  # a hash of the page's path
    fields: Mapped[dict] = mapped_column(JSON)
    errors: Mapped[dict] = mapped_column(JSON)
    notice: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def refuse(to: str, *, errors: dict | None = None, notice: str | None = None, form=None):
    """Keep the submitted form (or ``form``) with ``errors`` and ``notice``, and send the
    browser to ``to``, the page the form belongs to (303: it is loaded with GET)."""
    db.session.rollback()  # whatever the refused command began
    token = session.get(SESSION_KEY) or secrets.token_urlsafe(24)
    session[SESSION_KEY] = token
    submitted = form if form is not None else request.form
    fields = {name: values for name, values in submitted.lists() if name not in NOT_KEPT and values}
    now = utcnow()
    begin_write(db.session)
    db.session.execute(
        db.delete(FormDraft).where(
            (FormDraft.token_hash == _hash(token)) | (FormDraft.created_at < now - KEEP_FOR)
        )
    )
    db.session.add(
        FormDraft(
            token_hash=_hash(token),
            path=_hash(to.split("?", 1)[0].split("#", 1)[0]),
            fields=fields,
            errors=errors or {},
            notice=notice,
            created_at=now,
        )
    )
    db.session.commit()
    g.drafted_now = True
    return redirect(to, 303)


def restore() -> tuple[ImmutableMultiDict, dict, str | None]:
    """What was kept for this page: (the form, the errors, the notice); the submitted
    form itself (nothing, for a GET) when nothing was."""
    token = session.get(SESSION_KEY)
    if token is None or request.method != "GET":
        return request.form, {}, None
    kept = db.session.execute(
        db.select(FormDraft).where(
            FormDraft.token_hash == _hash(token),
            FormDraft.path == _hash(request.path),
            FormDraft.created_at >= utcnow() - KEEP_FOR,
        )
    ).scalar_one_or_none()
    if kept is None:
        return request.form, {}, None
    return ImmutableMultiDict(kept.fields), kept.errors, kept.notice


def prune(now: datetime) -> int:
    """Delete every kept form older than KEEP_FOR; how many went."""
    begin_write(db.session)
    gone = db.session.execute(
        db.delete(FormDraft).where(FormDraft.created_at < now - KEEP_FOR)
    ).rowcount
    db.session.commit()
    return gone


def tick(*, now: datetime) -> int:
    """The clock's part: forget the drafts past their hour. It notifies nobody."""
    prune(now)
    return 0


def _note_token():
    """The token this browser came with: a form that succeeds may start a new session
    (login, registration, a reset), which drops it before the response."""
    if request.method == "POST":
        g.draft_token = session.get(SESSION_KEY)


def _forget_after_success(response):
    """A page's form went through: what was kept for this browser has served."""
    if request.method != "POST" or response.status_code >= 400 or g.get("drafted_now"):
        return response
    token = session.pop(SESSION_KEY) if SESSION_KEY in session else g.get("draft_token")
    if token is None:
        return response
    try:
        begin_write(db.session)
        db.session.execute(db.delete(FormDraft).where(FormDraft.token_hash == _hash(token)))
        db.session.commit()
    except Exception:  # noqa: BLE001 (an hour from now it goes anyway)
        db.session.rollback()
        log.warning("a kept form was not deleted; it expires within the hour")
    return response


def init_app(app: Flask) -> None:
    app.before_request(_note_token)
    app.after_request(_forget_after_success)
