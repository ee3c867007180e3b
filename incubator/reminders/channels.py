"""Sending one reminder by email (SMTP, text and HTML in Chinese) or to the
agency's WeCom (企业微信) group robot. Each raises ``DeliveryError`` on failure;
``retry_after`` asks to try later without counting an attempt (WeCom's limit of 20
messages a minute). Never called inside a database transaction that matters: the
outbox claims the delivery and commits first."""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app, render_template

from incubator.reminders.models import Reminder

TIMEOUT = 10
WECOM_RATE_LIMITED = {45009}  # "api freq out of limit"


class DeliveryError(Exception):
    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def email_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def wecom_configured() -> bool:
    return bool(current_app.config.get("WECOM_WEBHOOK_URL"))


def send_email(reminder: Reminder, address: str) -> None:
    config = current_app.config
    if not address:
        raise DeliveryError("the recipient has no email address")
    message = EmailMessage()
    message["Subject"] = reminder.title
    message["From"] = formataddr((config["AGENCY_NAME"], config["MAIL_FROM"]))
    message["To"] = formataddr((reminder.recipient.name, address))
    message["Message-ID"] = make_msgid(
        idstring=f"reminder-{reminder.id}", domain=config["CALENDAR_UID_DOMAIN"]
    )
    message.set_content(render_template("email/reminder.txt", reminder=reminder))
    message.add_alternative(
        render_template("email/reminder.html", reminder=reminder), subtype="html"
    )
    try:
        if config.get("MAIL_USE_SSL"):
            client = smtplib.SMTP_SSL(
                config["MAIL_SERVER"],
                config["MAIL_PORT"],
                timeout=TIMEOUT,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(
                config["MAIL_SERVER"], config["MAIL_PORT"], timeout=TIMEOUT
            )
        with client:
            if config.get("MAIL_USE_TLS"):
                client.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                client.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP: {exc}"[:500]) from None


def send_wecom(reminder: Reminder) -> None:
    """Post to the group robot. WeCom answers HTTP 200 with an ``errcode`` on
    failure, so both are checked."""
    content = f"**{reminder.title}**\n> {reminder.recipient.name}\n\n{reminder.body}"
    data = json.dumps(
        {"msgtype": "markdown", "markdown": {"content": content[:4000]}},
        ensure_ascii=False,
    ).encode()
    url = current_app.config["WECOM_WEBHOOK_URL"]
    if not url.startswith(("https://", "http://")):
        raise DeliveryError("WECOM_WEBHOOK_URL must be an http(s) address")
    request = urllib.request.Request(  # noqa: S310  (scheme checked above)
        url,
        data=data,
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            answer = json.loads(response.read().decode() or "{}")
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"WeCom HTTP {exc.code}") from None
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"WeCom: {exc}"[:500]) from None
    code = answer.get("errcode", -1)
    if code in WECOM_RATE_LIMITED:
        raise DeliveryError(f"WeCom errcode {code}: rate limited", retry_after=60)
    if code != 0:
        raise DeliveryError(f"WeCom errcode {code}: {answer.get('errmsg', '')}"[:500])
