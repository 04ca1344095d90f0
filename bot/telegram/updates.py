"""Reading a Telegram update: who it is from, and what to tell the assistant.

Pure functions over the Bot API's documented update shapes
(https://core.telegram.org/bots/api#update). Anything without a private chat and a way to
reply is ignored; anything a person can send gets something the assistant can answer:
text as text, buttons as their payload, /start as a greeting, a location as a region, and
voice notes, stickers, photos and documents as `/chat_media` (answered with the emergency
number, because a person in crisis may send a voice note).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

GREETING = "/chat_greet"
MEDIA = "/chat_media"
GROUP = "/chat_group"
MEDIA_KEYS = (
    "voice",
    "audio",
    "video",
    "video_note",
    "sticker",
    "photo",
    "document",
    "animation",
    "contact",
    "poll",
    "dice",
    "venue",
)


@dataclass(frozen=True)
class Incoming:
    chat_id: str
    text: str  # what the assistant receives: the person's words or a payload
    kind: str  # text, edited, button, start, location, media, group
    callback_id: str | None = None


def read_update(
    update: Any, bot_username: str | None, region_at=lambda lat, lon: None
) -> Incoming | None:
    """What to pass on for an update, or None for one to ignore (channel posts, unknown
    types, group chatter not addressed to the bot, malformed shapes)."""
    if not isinstance(update, dict):
        return None
    if isinstance(update.get("callback_query"), dict):
        return _button(update["callback_query"])
    for key, kind in (("message", "text"), ("edited_message", "edited")):
        message = update.get(key)
        if isinstance(message, dict):
            return _message(message, kind, bot_username, region_at)
    return None  # channel_post, my_chat_member, poll answers, unknown types


def _chat(message: dict) -> tuple[str, str] | None:
    chat = message.get("chat")
    if not isinstance(chat, dict) or not isinstance(chat.get("id"), int | str):
        return None
    return str(chat["id"]), str(chat.get("type") or "private")


def _button(query: dict) -> Incoming | None:
    message = query.get("message")
    chat = _chat(message) if isinstance(message, dict) else None
    sender = query.get("from")
    sender = sender if isinstance(sender, dict) else {}
    chat_id = chat[0] if chat else str(sender.get("id", "")) or None
    data = query.get("data")
    if not chat_id or not isinstance(data, str) or not data:
        return None
    return Incoming(chat_id, data, "button", callback_id=str(query.get("id") or "") or None)


def _message(message: dict, kind: str, bot_username: str | None, region_at) -> Incoming | None:
    chat = _chat(message)
    if chat is None:
        return None
    chat_id, chat_type = chat
    text = message.get("text") if isinstance(message.get("text"), str) else None
    if chat_type != "private":
        return Incoming(chat_id, GROUP, "group") if _addressed(message, bot_username) else None
    if text is not None:
        if text.split("@")[0].strip().lower() == "/start" or text.startswith("/start "):
            return Incoming(chat_id, GREETING, "start")
        return Incoming(chat_id, text, kind) if text.strip() else None
    location = message.get("location")
    if isinstance(location, dict):
        return Incoming(chat_id, _region_payload(location, region_at), "location")
    if any(key in message for key in MEDIA_KEYS) or isinstance(message.get("caption"), str):
        return Incoming(chat_id, MEDIA, "media")
    return None  # service messages: someone joined, a pinned message, ...


def _addressed(message: dict, bot_username: str | None) -> bool:
    """In a group the bot speaks only when spoken to: a mention, a command, or a reply."""
    text = str(message.get("text") or message.get("caption") or "")
    name = (bot_username or "").lstrip("@").lower()
    if name and f"@{name}" in text.lower():
        return True
    reply = message.get("reply_to_message")
    author = reply.get("from") if isinstance(reply, dict) else None
    return bool(name and isinstance(author, dict) and str(author.get("username")).lower() == name)


def _region_payload(location: dict, region_at) -> str:
    try:
        region = region_at(float(location["latitude"]), float(location["longitude"]))
    except (KeyError, TypeError, ValueError):
        region = None
    if region is None:
        return "/referral_set_region"  # asks with buttons
    return "/referral_set_region" + json.dumps({"region": region})
