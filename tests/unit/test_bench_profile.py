"""bench/profile.py counts a stage's share of the server thread's samples from py-spy's output."""

from bench.profile import MODEL_WORK, shares

SERVER = "<module> (rasa:8);serve_application (rasa/core/run.py:1)"
TURN = f"{SERVER};handle_message (rasa/core/processor.py:2)"


def test_shares_count_stacks_that_hold_the_stage_and_ignore_idle_workers(tmp_path):
    raw = tmp_path / "raw.txt"
    raw.write_text(
        f"{TURN};retrieve (rasa/core/tracker_store.py:3);json 30\n"
        f"{TURN};__call__ (rasa/engine/graph.py:4);__call__ (rasa/engine/graph.py:4) 50\n"
        f"{SERVER};select (selectors.py:5) 20\n"
        "_bootstrap (threading.py:1);_worker (concurrent/futures/thread.py:81) 400\n"
    )
    found = shares(raw)
    assert found["whole turn (Rasa's processor)"] == 0.8
    assert found["reading the conversation back"] == 0.3
    assert found[MODEL_WORK] == 0.5  # counted once although two frames match
    assert found["saving the conversation"] == 0.0


def test_no_samples_no_shares(tmp_path):
    (tmp_path / "raw.txt").write_text("")
    assert shares(tmp_path / "raw.txt") == {}
