"""Outgoing mail: SMTP when COUPLES_MAIL_SERVER is set. Without it, only `serve` writes a
message to its log, for the person at its console; any other server (gunicorn, where
logs are collected and kept) sends nothing and says so, without the message: a reset
link in a log is a password for whoever reads the log."""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("couples.mail")


def send(to: str, subject: str, text: str) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        if config.get("EMBEDDED"):
            log.warning(
                "mail (no COUPLES_MAIL_SERVER set) to=%s subject=%s\n%s", _masked(to), subject, text
            )
        else:
            log.error("mail not sent: set COUPLES_MAIL_SERVER (subject=%s)", subject)
        return
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


def _masked(address: str) -> str:
    """``k…@example.com``: enough to tell whose mail it is at the console."""
    local, at, domain = address.partition("@")
    return f"{local[:1]}…{at}{domain}"
