"""Which one-letter differences read as a slip of the hand, and which as another word."""

from __future__ import annotations

import pytest

from bot.text.typos import likely_typo


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("trupm", "trump"),  # neighbours swapped
        ("takaichii", "takaichi"),  # a letter doubled
        ("visitng", "visiting"),  # a letter dropped
        ("lrice", "price"),  # l is a key beside p
        ("stxtes", "states"),  # x below s, beside a
        ("seperate", "separate"),  # a vowel for a vowel
        ("kolumbia", "columbia"),  # letters that sound alike
        ("gospic", "gospić"),  # no key for the accent
        ("boleslaw", "bolesław"),
    ],
)
def test_slips_of_the_hand_and_of_spelling_are_typos(typed: str, meant: str) -> None:
    assert likely_typo(typed, meant)


@pytest.mark.parametrize(
    ("typed", "meant"), [("mars", "mark"), ("bat", "cat"), ("harm", "hard"), ("milk", "mild")]
)
def test_a_letter_far_from_the_one_meant_makes_another_word(typed: str, meant: str) -> None:
    assert not likely_typo(typed, meant)
