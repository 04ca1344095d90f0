"""Telegram without Rasa: the Bot API client, message formatting and reading updates."""
