"""deploy/: the production endpoints name stores that exist and read their settings from the
environment; the systemd units and nginx keep the action server and Rasa's API private."""

from pathlib import Path

from rasa.core.utils import AvailableEndpoints
from rasa.shared.utils.common import class_from_module_path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_production_endpoints_name_our_stores_with_settings_from_the_environment(monkeypatch):
    for name, value in {
        "HRA_PG_HOST": "db.internal",
        "HRA_PG_PORT": "5433",
        "HRA_PG_DB": "rasa",
        "HRA_PG_USER": "rasa",
        "HRA_PG_PASSWORD": "secret",
        "HRA_REDIS_HOST": "cache.internal",
        "HRA_REDIS_PORT": "6380",
        "HRA_REDIS_PASSWORD": "",
    }.items():
        monkeypatch.setenv(name, value)
    endpoints = AvailableEndpoints.read_endpoints(str(DEPLOY / "endpoints.production.yml"))
    tracker, lock = endpoints.tracker_store, endpoints.lock_store
    assert class_from_module_path(tracker.type).__name__ == "ResilientSQLTrackerStore"
    assert class_from_module_path(lock.type).__name__ == "AtomicRedisLockStore"
    assert (tracker.url, str(tracker.kwargs["port"]), tracker.kwargs["dialect"]) == (
        "db.internal",
        "5433",
        "postgresql",
    )
    assert (lock.url, str(lock.kwargs["port"])) == ("cache.internal", "6380")
    assert endpoints.action.url.startswith("http://127.0.0.1:")


def test_the_units_keep_servers_on_loopback_and_the_api_off():
    rasa = (DEPLOY / "rasa@.service").read_text()
    assert "--interface 127.0.0.1" in rasa and "--enable-api" not in rasa
    assert "SANIC_HOST=127.0.0.1" in (DEPLOY / "hra-actions.service").read_text()
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert "ip_hash" in nginx and "location /conversations" not in nginx
