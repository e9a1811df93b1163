"""What people type after /digest, read the same way on every platform."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.digest.requests import (
    AlertRequest,
    DigestRequest,
    HelpRequest,
    ListRequest,
    StopRequest,
    parse_request,
)
from bot.digest.schedule import ScheduleError


def test_a_digest_with_every_part() -> None:
    r = parse_request("every weekday at 7:30 pm Europe/Paris on japan trade")
    assert r == DigestRequest(
        days="weekdays", at=dt.time(19, 30), zone="Europe/Paris", topic="japan trade"
    )


def test_a_digest_with_defaults_and_quietly() -> None:
    assert parse_request("monday 9 quietly") == DigestRequest(
        days="mon", at=dt.time(9, 0), quiet=True
    )
    assert parse_request("daily") == DigestRequest()


def test_alert_list_stop_help() -> None:
    assert parse_request("alert on Chega") == AlertRequest(topic="Chega")
    assert parse_request("list") == ListRequest()
    assert parse_request("stop #12") == StopRequest(number=12)
    assert parse_request("") == HelpRequest()


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("alert", "an alert needs a topic"),
        ("alert " + "word " * 1000, "a topic is a few words"),
        ("daily 25:00", "not a time of day"),
        ("daily 8:00 Mars/Olympus", "not a time zone I know"),
        ("stop", "say which one to stop"),
        ("tomorrow morning", "I did not understand 'tomorrow'"),
    ],
)
def test_bad_requests_say_what_would_do(typed: str, said: str) -> None:
    with pytest.raises(ScheduleError, match=said):
        parse_request(typed)
