"""``/feeds``: the feeds the bot polls, listed for everyone and changed by admins only (Slack
workspace admins and owners, Discord members who can manage the server, the console's user);
the same words on every platform::

    /feeds list
    /feeds add URL
    /feeds remove URL|N
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from pydantic import HttpUrl, TypeAdapter, ValidationError

from bot.digest.scheduler import Clock, utc_now
from bot.models import TextReply
from bot.state.database import Database
from bot.state.feeds import FeedList

USAGE = "Feeds: /feeds list, /feeds add URL (an RSS or Atom feed), /feeds remove URL or N."
_URL = TypeAdapter(HttpUrl)
MAX_URL_CHARS = 2000


def _reply(text: str) -> TextReply:
    return TextReply(kind="notice", text=text)


class Feeds:
    """The /feeds command over the database's list and the operator's ``BRIEFBOT_FEEDS``."""

    def __init__(
        self,
        db: Database,
        configured: list[str],
        *,
        can_poll: bool = True,
        on_change: Callable[[], None] | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.list = FeedList(db)
        self.configured = configured
        self.can_poll = can_poll
        self.on_change = on_change
        self.clock = clock

    async def urls(self) -> list[str]:
        """What the poller polls: ``BRIEFBOT_FEEDS``, then the chat's, each once."""
        return list(dict.fromkeys([*self.configured, *await self.list.urls()]))

    async def command(self, text: str, *, by: str, admin: bool, who: str) -> TextReply:
        """``/feeds …``; ``admin``: whether the person may change the list; ``who``: who may,
        in the platform's words ("workspace admins and owners")."""
        words = text.split()
        action = words[0].lower() if words else "list"
        if action in ("list", "ls", "show"):
            return _reply(await self._listing())
        if action not in ("add", "remove", "delete", "rm"):
            return _reply(USAGE)
        if not admin:
            return _reply(
                f"Sorry, only {who} can change the feeds I follow; anyone can see them with "
                "/feeds list."
            )
        if len(words) < 2:
            return _reply(f"Say which feed: /feeds {action} https://example.com/feed.xml")
        target = words[1].strip("<>")
        if action == "add":
            return _reply(await self._add(target, by))
        return _reply(await self._remove(target))

    async def _listing(self) -> str:
        mine = await self.list.urls()
        lines = [f"{n}. {u}" for n, u in enumerate(mine, 1)]
        lines += [f"· {u} (BRIEFBOT_FEEDS)" for u in self.configured if u not in mine]
        if not lines:
            return "I follow no feeds yet. " + USAGE
        return "The feeds I follow:\n" + "\n".join(lines)

    async def _add(self, raw: str, by: str) -> str:
        if not self.can_poll:
            return (
                "Sorry, the corpus is a single file, so I cannot take in feeds: point "
                "BRIEFBOT_CORPUS at a folder first."
            )
        try:
            if len(raw) > MAX_URL_CHARS:
                raise ValueError
            url = str(_URL.validate_python(raw))
        except (ValidationError, ValueError):
            return f"Sorry, {raw[:80]!r} is not a web address: give an http(s) URL of a feed."
        if url in self.configured or not await self.list.add(url, by=by, now=self.clock()):
            return f"I follow {url} already."
        if self.on_change is not None:
            self.on_change()
        host = urlsplit(url).hostname or url
        return f"Added {url}: I poll it with the others; new articles from {host} arrive soon."

    async def _remove(self, target: str) -> str:
        mine = await self.list.urls()
        if target.isdigit() and 1 <= int(target) <= len(mine):
            target = mine[int(target) - 1]
        if await self.list.remove(target):
            return f"Removed {target}."
        if target in self.configured:
            return f"{target} is in BRIEFBOT_FEEDS: the operator removes it there."
        return f"I do not follow {target[:200]}: /feeds list shows what I do."
