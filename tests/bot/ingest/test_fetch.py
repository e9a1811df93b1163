"""The fetch rules, one at a time, against the local news site."""

from __future__ import annotations

import asyncio
import socket

import pytest
from yarl import URL

from bot.ingest import IngestOptions
from bot.ingest.fetch import Fetcher, FetchError, check_url, redacted
from tests.emulators.news import FAULTS, NewsSite


async def get(site: NewsSite, path: str, **options: object) -> object:
    kw = {k: options.pop(k) for k in ("private_ok", "etag") if k in options}
    async with Fetcher(IngestOptions(**options)) as fetcher:
        return await fetcher.get(site.url(path), **kw)  # type: ignore[arg-type]


async def test_a_page_is_returned_with_its_validators(news_site: NewsSite) -> None:
    page = await get(news_site, "/articles/rail-strike")

    assert page.status == 200 and page.content_type == "text/html"  # type: ignore[attr-defined]
    assert b"Rail strike ends" in page.body  # type: ignore[attr-defined]
    assert page.etag and page.last_modified  # type: ignore[attr-defined]


async def test_a_matching_etag_gets_not_modified(news_site: NewsSite) -> None:
    first = await get(news_site, "/articles/rail-strike")

    again = await get(news_site, "/articles/rail-strike", etag=first.etag)  # type: ignore[attr-defined]

    assert again.not_modified and again.body == b""  # type: ignore[attr-defined]


async def test_a_page_announcing_more_than_the_cap_is_not_read(news_site: NewsSite) -> None:
    with pytest.raises(FetchError, match=r"^\d+ KB page, over the 1 KB limit$"):
        await get(news_site, "/articles/rail-strike", max_bytes=1024)


async def test_a_streamed_page_is_cut_at_the_cap(news_site: NewsSite) -> None:
    with pytest.raises(FetchError, match=r"over the 1\.0 MB limit; stopped reading"):
        await get(news_site, FAULTS["huge"], max_bytes=1024 * 1024)


async def test_redirects_are_counted(news_site: NewsSite) -> None:
    with pytest.raises(FetchError, match="more than 0 redirects"):
        await get(news_site, FAULTS["loop"], max_redirects=0)


async def test_a_redirect_loop_names_its_urls(news_site: NewsSite) -> None:
    with pytest.raises(FetchError) as caught:
        await get(news_site, FAULTS["loop"])
    loop, back = news_site.url(FAULTS["loop"]), news_site.url("/faults/loop-back")
    assert str(caught.value) == f"redirect loop ({loop} → {back} → {loop})"


async def test_a_slow_page_times_out(news_site: NewsSite) -> None:
    with pytest.raises(FetchError, match=r"no complete answer within 0\.2 s"):
        await get(news_site, FAULTS["slow"], timeout=0.2)


async def test_items_of_a_public_feed_may_not_point_at_local_addresses(news_site: NewsSite) -> None:
    with pytest.raises(FetchError, match=r"127\.0\.0\.1 is a local or private address"):
        await get(news_site, "/articles/rail-strike", private_ok=False)
    assert news_site.hits["/articles/rail-strike"] == 0


async def test_a_closed_port_says_connection_refused() -> None:
    async with Fetcher(IngestOptions()) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.get("http://127.0.0.1:9/feed")
    assert str(caught.value) == "cannot connect to 127.0.0.1:9 (connection refused)"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://example.com/feed", None),
        ("ftp://example.com/feed", "only http:// and https:// URLs can be fetched"),
        ("javascript:alert(1)", "only http:// and https:// URLs can be fetched"),
        ("http:///path", "the URL has no host name"),
    ],
)
def test_only_http_urls_with_a_host_are_fetched(url: str, why: str | None) -> None:
    assert check_url(url) == why


def test_urls_in_logs_hide_passwords_and_token_parameters() -> None:
    assert (
        redacted("https://me:hunter2@feeds.test/rss?api_key=abc&page=2&Token=xyz")
        == "https://me:***@feeds.test/rss?api_key=***&page=2&Token=***"
    )
    assert redacted("https://feeds.test/world.rss") == "https://feeds.test/world.rss"


async def test_a_name_rebound_to_a_local_address_after_the_check_is_never_connected_to(
    news_site: NewsSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the first lookup (the check) says public, every later one 127.0.0.1."""
    loop = asyncio.get_running_loop()
    real = loop.getaddrinfo
    lookups: list[str] = []

    async def rebinding(host: object, port: object, *args: object, **kw: object) -> object:
        if host != "rebind.example":
            return await real(host, port, *args, **kw)  # type: ignore[arg-type]
        lookups.append(str(host))
        address = "93.184.216.34" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(loop, "getaddrinfo", rebinding)
    port = URL(news_site.base_url).port
    async with Fetcher(IngestOptions()) as fetcher:
        with pytest.raises(FetchError, match=r"rebind\.example is a local or private address"):
            await fetcher.get(
                f"http://rebind.example:{port}/articles/rail-strike", private_ok=False
            )
        # the same name may be fetched where private addresses are allowed (a local feed's items)
        page = await fetcher.get(f"http://rebind.example:{port}/articles/rail-strike")
    assert page.status == 200 and len(lookups) >= 2
    assert news_site.hits["/articles/rail-strike"] == 1  # only the allowed fetch arrived
