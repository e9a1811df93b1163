"""The log set-up every command uses: records redacted and kept to one line, whoever logs them."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from handlers.logs import FORMAT, SafeRecords


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A library's logger writing through a handler with the filter, as ``configure`` sets up."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter(FORMAT))
    safe = SafeRecords()
    safe.add_secrets(["configured-secret-value"])
    handler.addFilter(safe)
    logger = logging.getLogger("slack_bolt.SomeLibraryPart")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield logger, out
    logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


def test_a_body_with_newlines_cannot_forge_a_log_line(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, out = log
    forged = "2026-01-01 00:00:00,000 INFO app: admin signed in"
    logger.info("Invalid request (body: %s)", f"x=1\n{forged}\r\n\x1b[2J")
    [line] = out.getvalue().splitlines()
    assert line.endswith("(body: x=1\\n" + forged + "\\r\\n\\x1b[2J)")


def test_tokens_are_redacted_in_messages_and_tracebacks(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, out = log
    logger.debug("headers: {'Authorization': 'Bearer xoxb-123-456-abc'} app xapp-1-A1-2-ff")
    logger.debug("POST https://discord.com/api/v10/interactions/123/aW50ZXJhY3Rpb24/callback")
    logger.debug("event: %s", {"id": "1", "token": "aW50ZXJhY3Rpb24", "type": 2})
    try:
        raise RuntimeError("failed with configured-secret-value")
    except RuntimeError:
        logger.exception("post to https://hooks.slack.com/commands/T1/2/abc failed")
    text = out.getvalue()
    for secret in ("xoxb-123", "xapp-1-A1", "aW50ZXJhY3Rpb24", "configured-secret", "T1/2/abc"):
        assert secret not in text
    assert "interactions/123/[redacted]/callback" in text
    assert "Traceback" in text and text.count("\n") > 4  # tracebacks keep their lines
