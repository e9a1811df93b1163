"""Start-up failures of the Slack and Discord runners, worded for the person starting the bot.

A bot that cannot reach its platform (no network, a DNS failure, a proxy that refuses) stops
with one line naming the service and the URL it tried, instead of a library's traceback; a
transient failure gets a few retries with backoff first.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp

from bot import Unreachable

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Waits before each new attempt at start-up (so three attempts in all, about 3 s).
RETRY_DELAYS = (1.0, 2.0)
#: What a connection that fails looks like, across aiohttp and the platforms' SDKs.
NETWORK_ERRORS = (aiohttp.ClientConnectionError, OSError, TimeoutError)


def reason(exc: BaseException) -> str:
    """Why a connection failed, in a few words ("Connection refused", "name not known")."""
    os_error = getattr(exc, "os_error", None) or exc
    if isinstance(os_error, socket.gaierror):
        return f"DNS lookup failed: {os_error.strerror or os_error}"
    if isinstance(exc, TimeoutError) or isinstance(os_error, TimeoutError):
        return "timed out"
    if isinstance(os_error, OSError) and os_error.errno:
        return os.strerror(os_error.errno)  # asyncio's own text repeats the address
    return str(exc) or type(exc).__name__


def unreachable(service: str, url: str, exc: BaseException, hint: str) -> Unreachable:
    """The error to stop with: ``Cannot reach Slack at URL (why): hint``."""
    return Unreachable(f"Cannot reach {service} at {url} ({reason(exc)}): {hint}")


async def retrying(attempt: Callable[[], Awaitable[T]], service: str, url: str, hint: str) -> T:
    """``attempt()``, tried again after each of :data:`RETRY_DELAYS` when the network fails;
    :class:`Unreachable` when the last attempt fails too."""
    for delay in RETRY_DELAYS:
        try:
            return await attempt()
        except NETWORK_ERRORS as exc:
            log.warning("%s unreachable (%s); trying again in %g s", service, reason(exc), delay)
            await asyncio.sleep(delay)
    try:
        return await attempt()
    except NETWORK_ERRORS as exc:
        raise unreachable(service, url, exc, hint) from None
