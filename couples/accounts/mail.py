"""Outgoing mail: SMTP when COUPLES_MAIL_SERVER is set, otherwise the server log."""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("couples.mail")


def send(to: str, subject: str, text: str) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        log.warning("mail (no COUPLES_MAIL_SERVER set) to=%s subject=%s\n%s", to, subject, text)
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
