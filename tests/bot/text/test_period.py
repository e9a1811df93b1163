"""Time words in a briefing request, read against a fixed "today" (Wednesday 2026-01-21)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.text.period import split_period

TODAY = dt.date(2026, 1, 21)  # a Wednesday
D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "end", "rest"),
    [
        ("today", D(2026, 1, 21), D(2026, 1, 21), ""),
        ("yesterday", D(2026, 1, 20), D(2026, 1, 20), ""),
        ("this week japan", D(2026, 1, 19), D(2026, 1, 21), "japan"),
        ("japan this week", D(2026, 1, 19), D(2026, 1, 21), "japan"),
        ("last week", D(2026, 1, 12), D(2026, 1, 18), ""),
        ("since monday", D(2026, 1, 19), D(2026, 1, 21), ""),
        ("since Wednesday", D(2026, 1, 21), D(2026, 1, 21), ""),
        ("since thursday transport", D(2026, 1, 15), D(2026, 1, 21), "transport"),
        ("since 2026-01-10", D(2026, 1, 10), D(2026, 1, 21), ""),
        ("port since 12 january", D(2026, 1, 12), D(2026, 1, 21), "port"),
        ("since dec 30", D(2025, 12, 30), D(2026, 1, 21), ""),
        ("last 3 days", D(2026, 1, 19), D(2026, 1, 21), ""),
        ("this month", D(2026, 1, 1), D(2026, 1, 21), ""),
        ("last month", D(2025, 12, 1), D(2025, 12, 31), ""),
    ],
)
def test_a_period_at_either_end_is_read_and_the_rest_is_the_topic(
    text: str, start: dt.date, end: dt.date, rest: str
) -> None:
    period, topic = split_period(text, TODAY)
    assert period is not None and (period.start, period.end) == (start, end)
    assert topic == rest


@pytest.mark.parametrize(
    "text", ["japan", "may day protests", "march on washington", "monday night football", ""]
)
def test_topics_that_only_look_like_dates_stay_topics(text: str) -> None:
    assert split_period(text, TODAY) == (None, text)


def test_a_date_in_the_future_is_no_period() -> None:
    assert split_period("since 2027-01-01", TODAY) == (None, "since 2027-01-01")
