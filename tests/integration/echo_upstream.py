"""A Sanic server that answers every request with what it saw: the stand-in for Rasa behind
deploy/nginx.conf (tests/integration/test_nginx.py). Rasa's `rasa run` builds its Sanic app
the same way, so the SANIC_* settings of deploy/hra.env.example apply here as they do there.

    python -m tests.integration.echo_upstream PORT
"""

from __future__ import annotations

import sys

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

app = Sanic("echo_upstream")


@app.route("/", methods=["GET", "POST"])
@app.route("/<path:path>", methods=["GET", "POST"])
async def echo(request: Request, path: str = "") -> HTTPResponse:
    return response.json(
        {
            "upstream": True,
            "path": request.path,
            "remote_addr": request.remote_addr,
            "peer": request.ip,
            "scheme": request.scheme,
            "headers": {name.lower(): value for name, value in request.headers.items()},
        }
    )


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), access_log=False, workers=1)
