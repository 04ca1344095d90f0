"""A real `rasa run` starts, answers and stops without logging an error (a warning or error
at shutdown hides the ones that matter in a production log)."""

import json
import urllib.request

from tests.harness import rasa_server


def test_a_server_starts_answers_and_stops_without_errors(action_server_url, tmp_path):
    log = tmp_path / "rasa.log"
    with rasa_server(action_server_url, {}, tmp_path, log=log) as url:
        request = urllib.request.Request(
            f"{url}/webhooks/rest/webhook",
            data=json.dumps({"sender": "lifecycle", "message": "hi"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert "naloxone" in json.load(answer)[0]["text"]
    errors = [line for line in log.read_text().splitlines() if " ERROR " in line]
    assert errors == []
