"""Typed settings from environment variables, read once and lazily.

Every setting has a safe default so the assistant runs with no configuration;
`.env.example` documents them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CONTENT_DIR = PACKAGE_DIR / "content"


@dataclass(frozen=True)
class Settings:
    default_region: str
    content_dir: Path


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings(
        default_region=_env("HRA_DEFAULT_REGION", "england").lower(),
        content_dir=Path(_env("HRA_CONTENT_DIR", str(CONTENT_DIR))),
    )
