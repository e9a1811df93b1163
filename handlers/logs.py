"""Logging for every command: one format, and every record made safe before it is written.

- **No secrets.** Slack tokens (``xoxb-…``, ``xapp-…``), the configured token and secret values,
  Discord interaction tokens (discord.py logs them at DEBUG, in callback and webhook URLs and in
  gateway payloads; each lets anyone edit the bot's replies for 15 minutes) and Slack
  response_url hooks are replaced by a marker, whatever logger wrote them and at any level.
- **One line per record.** Newlines and other control characters in a message (a request body
  slack-bolt logs, a question, a file name) are written as escapes (``\\n``, ``\\x1b``), so
  nobody can forge a log line or send terminal escapes to whoever reads the log. Tracebacks keep
  their lines (they are redacted too).

The filter sits on the handlers of the root logger, so it sees the records of every library.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"

_AUTHORIZATION = r"""(Authorization["']?\s*[:=]\s*["']?(?:Bot|Bearer)\s+)[^\s"',}]+"""
_PATTERNS = [
    # Slack: bot, user and app-level tokens.
    (re.compile(r"\b(xox[a-z]|xapp)-[0-9A-Za-z-]+"), rf"\1-{REDACTED}"),
    # Discord interaction tokens in callback and webhook (follow-up, edit) URLs.
    (re.compile(r"(/(?:interactions|webhooks)/\d+/)[\w.-]{8,}"), rf"\1{REDACTED}"),
    # ... and as the "token" of a payload, as JSON or as a Python dict.
    (re.compile(r"""(["']token["']\s*:\s*["'])[^"']+"""), rf"\1{REDACTED}"),
    # Discord bot tokens: base64 user id, timestamp, HMAC.
    (re.compile(r"\b[\w-]{23,28}\.[\w-]{6}\.[\w-]{27,40}\b"), REDACTED),
    # Authorization headers, whatever the library.
    (re.compile(_AUTHORIZATION, re.IGNORECASE), rf"\1{REDACTED}"),
    # Slack response_url and incoming-webhook URLs: posting to them needs nothing else.
    (re.compile(r"(hooks\.slack\.com/(?:commands|actions|services)/)[^\s\"'>]+"), rf"\1{REDACTED}"),
]

# Control characters in a message, written as the escapes Python would use.
_ESCAPES = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_ESCAPES.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})
_ESCAPES.update({c: f"\\u{c:04x}" for c in (0x2028, 0x2029, *range(0x202A, 0x202F))})
_ESCAPES.update({c: f"\\u{c:04x}" for c in range(0x2066, 0x206A)})


class SafeRecords(logging.Filter):
    """Redacts secrets in, and escapes control characters of, every record it sees."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add_secrets(self, values: Iterable[str]) -> None:
        """Exact values to redact too (the configured tokens), beyond the known token shapes."""
        self._secrets.update(v for v in values if len(v) >= 6)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: logging reports it itself
            return True
        record.msg, record.args = self.redact(message).translate(_ESCAPES), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


#: The one filter every handler shares; ``configure`` adds the configured secrets to it.
SAFE_RECORDS = SafeRecords()


def configure(level: str, secrets: Iterable[str] = ()) -> None:
    """Log to standard error at ``level``, through :data:`SAFE_RECORDS`; raises ValueError for
    an unknown level."""
    logging.basicConfig(level=level.upper(), format=FORMAT, stream=sys.stderr)
    SAFE_RECORDS.add_secrets(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(SAFE_RECORDS)
