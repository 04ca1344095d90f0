"""Thin rasa-sdk adapters: each module is one concern and calls into bot/."""
