"""What both emulators share: an aiohttp app served on 127.0.0.1 on a free port, and shutdown."""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web


async def serve_local(app: web.Application, **runner_options: object) -> tuple[web.AppRunner, int]:
    """Start ``app`` on 127.0.0.1, port 0 (the OS picks a free one); returns runner and port."""
    runner = web.AppRunner(app, **runner_options)  # type: ignore[arg-type]
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, runner.addresses[0][1]


async def close_local(
    runner: web.AppRunner | None, sockets: Iterable[web.WebSocketResponse]
) -> None:
    """Close the open WebSockets first (a server waits on them), then the server."""
    for ws in list(sockets):
        await ws.close()
    if runner is not None:
        await runner.cleanup()
