"""A service that does nothing: the reference for the load generator's own ceiling.

Any throughput the engine cannot reach against this app is the engine's limit, not the
service's. It is a bare ASGI callable (no framework) answering every request at once, with a
`/readyz` like the platform's apps so `LocalServer` can start it the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

_BODY = b'{"predictions":[],"version":"noop"}'
_HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(_BODY)).encode())]


async def app(scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]],
              send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    more = True
    while more:  # drain the request body
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": _BODY})
