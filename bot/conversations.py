"""Conversation ids: the channel and the channel's own id, so no channel reaches another's.

A Telegram chat is `telegram:<chat id>`, a web chat `web:<id the server issued>`, a REST
sender `rest:<sender>`. The channel part is added by the channel that received the message,
never taken from what a client sends, so a REST caller who names a Telegram chat id only ever
talks in `rest:<that id>`, a conversation of its own; and each channel's output refuses ids
that are not its own. Conversations stored before ids carried their channel (a bare id) belong
to no channel: nobody can write into them or be reached through them, and retention removes them.
"""

from __future__ import annotations

WEB, TELEGRAM, REST = "web", "telegram", "rest"
CHANNELS = (WEB, TELEGRAM, REST)
MAX_NATIVE_ID = 200  # characters of a channel's own id; Rasa's sender_id column holds 255


def conversation_id(channel: str, native_id: str) -> str:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if not native_id or len(native_id) > MAX_NATIVE_ID:
        raise ValueError("a channel's id must be 1 to 200 characters")
    return f"{channel}:{native_id}"


def channel_of(conversation: str) -> str | None:
    """The channel a conversation belongs to; None for a bare id from before channels."""
    channel, separator, native = conversation.partition(":")
    return channel if separator and native and channel in CHANNELS else None


def native_id(conversation: str, channel: str) -> str | None:
    """The channel's own id in a conversation of that channel, else None: an output channel
    asked to send to a conversation that is not its own sends nothing."""
    if channel_of(conversation) != channel:
        return None
    return conversation.partition(":")[2]
