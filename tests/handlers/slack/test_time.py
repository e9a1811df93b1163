"""Time in questions on Slack: "yesterday" is read in the asker's own time zone (users.info),
so two people a day apart get their own yesterday's article."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.engine import Engine
from tests.conftest import make_settings
from tests.emulators.slack import USER_ID, mention
from tests.handlers.slack_setup import HttpBot, section_texts

EAST, WEST = "Pacific/Kiritimati", "Pacific/Pago_Pago"  # UTC+14 and UTC-11


def yesterday_in(zone: str) -> dt.date:
    return dt.datetime.now(zoneinfo.ZoneInfo(zone)).date() - dt.timedelta(days=1)


async def test_yesterday_is_the_askers_yesterday(
    start_bot: Callable[..., Awaitable[HttpBot]], write_article: Callable[..., Path]
) -> None:
    east, west = yesterday_in(EAST), yesterday_in(WEST)
    assert east != west
    write_article("a.md", "Quake in the east", east.isoformat(), "An earthquake struck Tonga.")
    folder = write_article(
        "b.md", "Quake in the west", west.isoformat(), "An earthquake struck Samoa."
    )
    engine = Engine.load(make_settings(briefbot_corpus=folder))
    bot = await start_bot(engine)
    for zone, place in ((EAST, "Tonga"), (WEST, "Samoa")):
        bot.emulator.users[USER_ID]["tz"] = zone
        before = len(bot.emulator.posted())
        # A new person each time (users.info is asked once an hour per person).
        user = f"U{zone[-4:].upper()}"
        bot.emulator.users[user] = {**bot.emulator.users[USER_ID], "id": user}
        await bot.client.event(mention("which earthquake struck yesterday?", user=user))
        posted = await bot.emulator.wait_for("chat.postMessage", before + 1)
        assert place in " ".join(section_texts(posted[-1].body))
