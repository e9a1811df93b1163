"""Which URLs ingestion fetches, and how a URL is shown in a log."""

from __future__ import annotations

import re

from yarl import URL

HTTP_SCHEMES = ("http", "https")
_SECRET_PARAM = re.compile(r"key|token|secret|pass|auth|sig|session", re.IGNORECASE)


def redacted(url: str) -> str:
    """``url`` fit for a log: no password, and the values of query parameters that look like
    credentials (``?api_key=…``, ``&token=…``) masked. Private feeds carry them."""
    try:
        parsed = URL(url)
    except (ValueError, TypeError):
        return url
    if parsed.password:
        parsed = parsed.with_password("***")
    if parsed.query_string:
        query = [(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in parsed.query.items()]
        parsed = parsed.with_query(query)
    return str(parsed)


def check_url(url: str) -> str | None:
    """Why ``url`` cannot be fetched (not http(s), no host), or None when it can."""
    try:
        parsed = URL(url)
    except (ValueError, TypeError):
        return "not a URL"
    if parsed.scheme not in HTTP_SCHEMES:
        return "only http:// and https:// URLs can be fetched"
    if not parsed.host:
        return "the URL has no host name"
    return None
