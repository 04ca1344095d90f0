"""Reading YAML content files with errors that name the file, the entry and the field."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml  # type: ignore[import-untyped]
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


class ContentError(ValueError):
    """A content file is missing, unreadable or does not match its schema."""


# libyaml's parser when PyYAML has it (several times faster: the crisis suites and NLU data
# are read at every start); tags are still resolved by the Python resolver set below.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _ContentLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """YAML 1.2 booleans: only true/false. Words like "no", "on" and "off" stay words,
    which matters in word lists such as the crisis patterns."""


_ContentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ContentLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_ContentLoader)  # noqa: S506 (a SafeLoader)
    except FileNotFoundError as error:
        raise ContentError(f"{path}: file not found") from error
    except yaml.YAMLError as error:
        raise ContentError(f"{path}: not valid YAML: {error}") from error


def section(path: Path | str, data: Any, key: str) -> Any:
    """The top-level `key` of a content file, which must be present."""
    if not isinstance(data, dict) or key not in data:
        raise ContentError(f"{path}: missing top-level key '{key}'")
    return data[key]


def parse_entry(model: type[Model], raw: Any, path: Path, entry: str) -> Model:
    try:
        return model.parse_obj(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"field '{'.'.join(str(part) for part in issue['loc'])}': {issue['msg']}"
            for issue in error.errors()
        )
        raise ContentError(f"{path}: entry '{entry}': {problems}") from error


def parse_entries(
    model: type[Model], items: Iterable[Any], path: Path, id_field: str = "id"
) -> list[Model]:
    """Parses a list of mappings; entries are named by their id, or their position."""
    parsed = []
    for position, raw in enumerate(items or [], start=1):
        name = raw.get(id_field, f"#{position}") if isinstance(raw, dict) else f"#{position}"
        parsed.append(parse_entry(model, raw, path, str(name)))
    return parsed
