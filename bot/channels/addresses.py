"""Who is asking, by network address: the key for per-address rate limits.

Behind the documented nginx every request comes from 127.0.0.1, so the real client is in the
header nginx sets. Sanic trusts that header only when told how many proxies stand in front
(`SANIC_PROXIES_COUNT`, `SANIC_REAL_IP_HEADER`, deploy/hra.env.example); then
`request.remote_addr` is the client and `request.scheme` is what the client used. Without that
setting `remote_addr` is empty and the peer's own address is used: a forged header changes
nothing.
"""

from __future__ import annotations

from typing import Any


def client_address(request: Any) -> str:
    """The client's address as far as the trusted proxies say, else the connection's peer."""
    return str(getattr(request, "remote_addr", "") or getattr(request, "ip", "") or "unknown")


def is_https(request: Any) -> bool:
    """The client reached us over https (directly, or through a trusted proxy that says so)."""
    return str(getattr(request, "scheme", "")).lower() in {"https", "wss"}
