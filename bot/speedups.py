"""Rasa 3.6 work per message that buys nothing, done once instead; installed at server start
(bot/channels/housekeeping.py) so every model served gets it, the benchmark's baseline too.

Rasa checks each reply of the action server against its response schema with
`jsonschema.validate`, which first checks the schema itself against the JSON Schema
meta-schema: over 10% of a turn at saturation (py-spy, README "Benchmarks"). The schema is a
constant, so it is checked once and its validator kept; replies are judged exactly as before.
"""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
from rasa.core.actions.action import RemoteAction


@functools.cache
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    error = jsonschema.exceptions.best_match(_response_validator().iter_errors(result))
    if error is None:
        return True
    # Rasa's own wording (rasa/core/actions/action.py).
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from "
        "the Action endpoint is valid. For more information about the format visit "
        "https://rasa.com/docs/rasa/custom-actions"
    )
    raise error


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
