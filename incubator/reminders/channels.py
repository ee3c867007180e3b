"""Sending one reminder by email (SMTP, text and HTML in Chinese) or to the
agency's WeCom (企业微信) group robot. Each raises ``DeliveryError`` on failure;
``retry_after`` asks to try later without counting an attempt (WeCom's limit of 20
messages a minute). Never called inside a database transaction that matters: the
outbox claims the delivery and commits first."""

from __future__ import annotations

import http.client
import json
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr

from flask import current_app, render_template
from flask_babel import gettext as _

TIMEOUT = 10
WECOM_MAX_BYTES = 4096


@dataclass(frozen=True)
class Outgoing:
    """What a delivery sends, copied out of the database so nothing is held open
    while the network is slow."""

    reminder_id: int
    title: str
    body: str
    link: str  # absolute
    name: str
    email: str


def absolute(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + link


def _header(text: str) -> str:
    return " ".join(str(text).split())


WECOM_RATE_LIMITED = {45009}  # "api freq out of limit"
# WeCom counts 20 messages per minute: a rate-limited message waits this long.
RATE_LIMIT_WAIT = 60


class DeliveryError(Exception):
    """A message did not go out. ``retry_after`` (seconds) means the channel asked
    us to slow down: the outbox waits that long and does not count an attempt,
    since nothing is wrong with the message or the address."""

    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def email_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def wecom_configured() -> bool:
    return bool(current_app.config.get("WECOM_WEBHOOK_URL"))


def send_email(out: Outgoing) -> None:
    config = current_app.config
    if not out.email:
        raise DeliveryError("the recipient has no email address (reminder settings)")
    message = EmailMessage()
    message["Subject"] = _header(out.title)
    message["From"] = formataddr(
        (_header(config["AGENCY_NAME"]), _header(config["MAIL_FROM"]))
    )
    message["To"] = formataddr((_header(out.name), _header(out.email)))
    # The same id on every attempt, so a mail client shows a retried copy once.
    message["Message-ID"] = (
        f"<reminder-{out.reminder_id}@{_header(config['CALENDAR_UID_DOMAIN'])}>"
    )
    message.set_content(render_template("email/reminder.txt", out=out))
    message.add_alternative(
        render_template("email/reminder.html", out=out), subtype="html"
    )
    client: smtplib.SMTP
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


def _cap_bytes(text: str, limit: int) -> str:
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode(errors="ignore") + "…"


def send_wecom(out: Outgoing) -> None:
    """Post to the group robot. WeCom answers HTTP 200 with an ``errcode`` on
    failure, so both are checked."""
    content = _cap_bytes(
        f"**{out.title}**\n> {out.name}\n\n{out.body}", WECOM_MAX_BYTES - 400
    )
    if out.link:
        content += f"\n\n[{_('Open')}]({out.link})"
    data = json.dumps(
        {"msgtype": "markdown", "markdown": {"content": content}},
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
        if exc.code == 429:  # too many requests: the same as errcode 45009
            raise DeliveryError(
                "WeCom HTTP 429: rate limited, waiting a minute",
                retry_after=RATE_LIMIT_WAIT,
            ) from None
        raise DeliveryError(f"WeCom HTTP {exc.code}") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise DeliveryError(f"WeCom: {exc}"[:500]) from None
    if not isinstance(answer, dict):
        raise DeliveryError("WeCom answered something that is not a JSON object")
    code = answer.get("errcode", -1)
    if code in WECOM_RATE_LIMITED:
        raise DeliveryError(
            f"WeCom errcode {code}: rate limited, waiting a minute",
            retry_after=RATE_LIMIT_WAIT,
        )
    if code != 0:
        raise DeliveryError(f"WeCom errcode {code}: {answer.get('errmsg', '')}"[:500])
