#!/usr/bin/env bash
# Starts the action server (loopback only: it has no authentication) and the Rasa server.
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${HRA_HOST:-127.0.0.1}"
PORT="${HRA_PORT:-5005}"
# One setting for both: the action server listens on it and endpoints.yml's action URL reads
# it, so a second instance on another port talks to its own action server.
export HRA_ACTIONS_PORT="${HRA_ACTIONS_PORT:-5055}"
ACTIONS_PORT="$HRA_ACTIONS_PORT"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
# Conversations, tickets, the signing key and the logs under var/: for this user's eyes only.
umask 077
mkdir -p var
chmod 0700 var

SANIC_HOST=127.0.0.1 .venv/bin/rasa run actions --actions actions --port "$ACTIONS_PORT" \
  >var/actions.log 2>&1 &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null || true' EXIT INT TERM

cat <<MSG
Starting the assistant (the model takes about 10 seconds to load)...
  Chat in a browser:   http://$HOST:$PORT/webhooks/web/
  Chat in a terminal:  make chat            (in a second terminal)
  REST endpoint:       curl -s http://$HOST:$PORT/webhooks/rest/webhook \\
                         -d '{"sender": "me", "message": "how do i use narcan"}'
  Helpline console:    http://$HOST:$PORT/webhooks/helpline/
                       (add a worker: .venv/bin/python -m bot.handoff_cli add-agent NAME)
  Action server log:   var/actions.log
MSG
.venv/bin/rasa run --model models/assistant.tar.gz --interface "$HOST" --port "$PORT" \
  --endpoints endpoints.yml --credentials credentials.yml
