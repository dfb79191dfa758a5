"""Emails to customers: an agent's answer while the chat was closed, a ticket's promised
callback, a transcript. Chinese first; times in the shop's time zone. Sent over SMTP with
aiosmtplib; the Message-ID is the delivery id, so a retried email is recognisably the same."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiosmtplib

from tandem.channels.models import Delivery
from tandem.config import Settings

_AUTHOR = {
    "zh": {"customer": "您", "bot": "智能客服", "agent": "客服"},
    "en": {"customer": "You", "bot": "AI assistant", "agent": "Agent"},
}


def _when(at: str | None, zone: ZoneInfo, language: str) -> str:
    if not at:
        return ""
    local = datetime.fromisoformat(at).astimezone(zone)
    return (
        local.strftime("%Y-%m-%d %H:%M")
        if language == "en"
        else f"{local.month}月{local.day}日 {local:%H:%M}"
    )


def compose(
    delivery: Delivery, settings: Settings, zone: ZoneInfo, language: str, shop_name: str
) -> EmailMessage:
    p: dict[str, Any] = delivery.payload
    en = language == "en"
    if delivery.type == "agent.replied":
        who = p.get("agent_name") or ("our agent" if en else "客服")
        subject = (
            f"{shop_name}: a reply to your question" if en else f"{shop_name}：客服回复了您的问题"
        )
        body = (
            f"{who} replied ({_when(p.get('at'), zone, language)}):\n\n{p.get('text', '')}\n\n"
            "Reopen the chat to continue the conversation."
            if en
            else f"{who}回复了您（{_when(p.get('at'), zone, language)}）：\n\n{p.get('text', '')}\n\n"
            "回到聊天窗口即可继续对话。"
        )
    elif delivery.type == "ticket.opened":
        when = _when(p.get("callback_at"), zone, language)
        subject = (
            f"{shop_name}: we will reply by {when}"
            if en
            else f"{shop_name}：我们将在 {when} 前回复您"
        )
        body = (
            f"Nobody could take your question just now. An agent will answer by {when} "
            f"({zone.key} time); the answer will come to this address."
            if en
            else f"刚才暂时没有客服接入。客服会在 {when}（{zone.key} 时间）前回复您，回复会发到这个邮箱。"
        )
    else:
        names = _AUTHOR["en" if en else "zh"]
        lines = [
            f"[{_when(m['at'], zone, language)}] {names.get(m['author'], m['author'])}: {m['text']}"
            for m in p.get("messages", [])
        ]
        subject = f"{shop_name}: your chat transcript" if en else f"{shop_name}：您的聊天记录"
        body = "\n".join(lines)
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = delivery.target
    message["Subject"] = subject
    message["Message-ID"] = f"<{delivery.id}@tandem>"
    message["Date"] = format_datetime(delivery.created_at)
    message.set_content(body)
    return message


async def send(message: EmailMessage, settings: Settings, seconds: float = 30.0) -> None:
    """Raises aiosmtplib.SMTPException or OSError when the server refuses or is down."""
    assert settings.smtp_host is not None
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        start_tls=settings.smtp_starttls,
        timeout=seconds,
    )
