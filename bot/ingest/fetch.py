"""Fetching feeds and pages under our own rules, not a library's defaults.

Every request has a total timeout (body included), a size cap enforced while streaming (a 20 MB
page is cut at the cap, never held whole), redirects followed by hand so that each hop is
counted, checked for loops and kept to http(s), a User-Agent, and ETag / Last-Modified
validators sent back so that an unchanged feed costs a 304.

A fetch that must stay off local and private addresses (the items of a public feed) goes through
a session whose resolver drops every non-global address, so the address checked is the address
connected to: a name that resolves to a public address for the check and to 127.0.0.1 a moment
later (DNS rebinding) never reaches the private one.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from bot.ingest.models import IngestOptions
from bot.ingest.urls import HTTP_SCHEMES, check_url, redacted

__all__ = ["FetchError", "Fetcher", "Page", "check_url", "is_public", "redacted"]

_REDIRECTS = (301, 302, 303, 307, 308)
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A URL that gave no usable answer; the message says why in a few words."""


class _PrivateAddress(OSError):
    """Every address a host resolved to at connection time is local or private."""


class _PublicResolver(AbstractResolver):
    """aiohttp's default resolver, keeping only global addresses: the connector connects to
    what this returns, so no second lookup can swap in a private one."""

    def __init__(self) -> None:
        self._inner = aiohttp.DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        public = [r for r in found if ipaddress.ip_address(r["host"]).is_global]
        if not public:
            raise _PrivateAddress(f"{host} resolves to local or private addresses only")
        return public

    async def close(self) -> None:
        await self._inner.close()


@dataclass(frozen=True)
class Page:
    """One answer: the final URL after redirects, its body, and what the server said about it."""

    url: str
    status: int
    body: bytes = b""
    content_type: str = ""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """The server answered 304: nothing changed since the validators we sent."""
        return self.status == 304


class Fetcher:
    """An HTTP client session with the limits of ``IngestOptions``; use ``async with``."""

    def __init__(self, options: IngestOptions) -> None:
        self.options = options
        self._session: aiohttp.ClientSession | None = None
        self._public_session: aiohttp.ClientSession | None = None

    def _new_session(self, **connector: Any) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.options.timeout),
            connector=aiohttp.TCPConnector(limit=self.options.concurrency, **connector),
            headers={"User-Agent": self.options.user_agent},
            # Cookies set by one site must not follow us to the next one.
            cookie_jar=aiohttp.DummyCookieJar(),
        )

    async def __aenter__(self) -> Fetcher:
        self._session = self._new_session()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for session in (self._session, self._public_session):
            if session is not None:
                await session.close()
        self._session = self._public_session = None

    async def get(
        self,
        url: str,
        *,
        accept: str = "*/*",
        etag: str | None = None,
        last_modified: str | None = None,
        private_ok: bool = True,
    ) -> Page:
        """The answer at ``url`` after redirects; raises FetchError with the reason.

        ``private_ok=False`` refuses hosts that resolve to loopback or private addresses: a
        public feed must not make the bot fetch (and then quote) pages on its own network.
        """
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current, visited = URL(url), [url]
        try:
            for _ in range(self.options.max_redirects + 1):
                if not private_ok and not await is_public(current):
                    raise FetchError(
                        f"{current.host} is a local or private address; a public feed may not "
                        "point there"
                    )
                target = await self._request(current, headers, private_ok)
                if isinstance(target, Page):
                    return target
                if str(target) in visited:
                    chain = " → ".join(redacted(u) for u in [*visited, str(target)])
                    raise FetchError(f"redirect loop ({chain})")
                visited.append(str(target))
                current = target
        except TimeoutError:
            raise FetchError(f"no complete answer within {self.options.timeout:g} s") from None
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, _PrivateAddress):
                raise FetchError(
                    f"{exc.host} is a local or private address; a public feed may not point there"
                ) from None
            raise FetchError(_client_error(exc)) from None
        except aiohttp.ClientError as exc:
            raise FetchError(_client_error(exc)) from None
        except ValueError as exc:  # a Location header yarl cannot parse
            raise FetchError(f"bad redirect target ({exc})") from None
        raise FetchError(f"more than {self.options.max_redirects} redirects")

    async def _request(self, url: URL, headers: dict[str, str], private_ok: bool) -> Page | URL:
        """One hop: the page, or the next URL when the server redirects."""
        assert self._session is not None, "use Fetcher inside 'async with'"
        session = self._session
        if not private_ok:
            if self._public_session is None:
                self._public_session = self._new_session(resolver=_PublicResolver())
            session = self._public_session
        async with session.get(url, headers=headers, allow_redirects=False) as resp:
            if resp.status in _REDIRECTS:
                location = resp.headers.get("Location")
                if not location:
                    raise FetchError(f"HTTP {resp.status} redirect without a Location")
                target = url.join(URL(location))
                if target.scheme not in HTTP_SCHEMES:
                    raise FetchError(f"redirected to a non-http(s) URL ({redacted(str(target))})")
                return target
            if resp.status == 304:
                return Page(str(url), 304)
            if resp.status >= 400:
                raise FetchError(f"HTTP {resp.status} {resp.reason or ''}".strip())
            if resp.status != 200:
                raise FetchError(f"HTTP {resp.status}: no page in the answer")
            cap = self.options.max_bytes
            if resp.content_length is not None and resp.content_length > cap:
                raise FetchError(f"{_mb(resp.content_length)} page, over the {_mb(cap)} limit")
            body = bytearray()
            async for chunk in resp.content.iter_chunked(_CHUNK):
                body += chunk
                if len(body) > cap:
                    raise FetchError(f"page over the {_mb(cap)} limit; stopped reading")
            return Page(
                url=str(url),
                status=200,
                body=bytes(body),
                content_type=resp.content_type.lower(),
                charset=resp.charset,
                etag=resp.headers.get("ETag"),
                last_modified=resp.headers.get("Last-Modified"),
            )


async def is_public(url: URL) -> bool:
    """Whether every address ``url``'s host resolves to is a public (global) one."""
    host = url.host or ""
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, url.port, type=socket.SOCK_STREAM
        )
    except OSError:
        return True  # unresolvable: the request itself will fail and say so
    return all(ipaddress.ip_address(info[4][0]).is_global for info in infos)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _client_error(exc: aiohttp.ClientError) -> str:
    if isinstance(exc, aiohttp.ClientConnectorError):
        why = exc.os_error.strerror or exc.os_error
        if isinstance(exc.os_error, ConnectionRefusedError):
            why = "connection refused"
        return f"cannot connect to {exc.host}:{exc.port} ({why})"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the server closed the connection without an answer"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "the answer was cut off or badly encoded"
    if isinstance(exc, aiohttp.InvalidURL):
        return f"not a valid URL ({exc})"
    return f"{type(exc).__name__}: {exc}"
