"""Sentence splitting on real news prose: the sentence is the unit briefbot quotes."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.text.sentences import MAX_SENTENCE_CHARS, split_sentences


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "U.S. President Donald Trump spoke on Friday. Takaichi listened.",
            ["U.S. President Donald Trump spoke on Friday.", "Takaichi listened."],
        ),
        (
            "Mr. Smith arrived in Tokyo. He left a day later.",
            ["Mr. Smith arrived in Tokyo.", "He left a day later."],
        ),
        (
            "The talks open on Jan. 5 in Geneva. Both sides agreed.",
            ["The talks open on Jan. 5 in Geneva.", "Both sides agreed."],
        ),
        (
            "She is ranked No. 2 in the world. Her rival is first.",
            ["She is ranked No. 2 in the world.", "Her rival is first."],
        ),
        (
            "J. R. R. Tolkien wrote the book. It sold well.",
            ["J. R. R. Tolkien wrote the book.", "It sold well."],
        ),
        (
            "Growth slowed to 3.5 percent. Prices rose.",
            ["Growth slowed to 3.5 percent.", "Prices rose."],
        ),
        (
            "Dr. Tanaka and Mrs. Ito met Gov. Koike. They talked.",
            ["Dr. Tanaka and Mrs. Ito met Gov. Koike.", "They talked."],
        ),
    ],
)
def test_abbreviations_initials_and_decimals_do_not_end_a_sentence(
    text: str, expected: list[str]
) -> None:
    assert sentences(text) == expected


def test_quoted_speech_with_inner_full_stop_stays_one_sentence() -> None:
    text = (
        "“I believe it was significant. It confirms the strength of the alliance,” she said. "
        "The call lasted 25 minutes."
    )
    assert sentences(text) == [
        "“I believe it was significant. It confirms the strength of the alliance,” she said.",
        "The call lasted 25 minutes.",
    ]


def test_quote_then_attribution_is_not_split() -> None:
    text = "“I believe in the alliance,” she said. Reporters asked more."
    assert sentences(text)[0] == "“I believe in the alliance,” she said."


def test_ordinary_sentences_questions_and_exclamations_split() -> None:
    text = "The vote passed. Was it fair? Critics say no! The law takes effect soon."
    assert sentences(text) == [
        "The vote passed.",
        "Was it fair?",
        "Critics say no!",
        "The law takes effect soon.",
    ]


def test_acronym_at_end_of_sentence_splits_before_a_new_sentence() -> None:
    text = "He flew to the U.S. The next day he met officials."
    assert sentences(text) == ["He flew to the U.S.", "The next day he met officials."]


def test_spans_are_trimmed_offsets_into_the_paragraph() -> None:
    text = "  First one.   Second one.  "
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["First one.", "Second one."]
    assert all(not text[a].isspace() and not text[b - 1].isspace() for a, b in spans)


def test_text_without_final_punctuation_is_one_sentence() -> None:
    assert sentences("A headline without a full stop") == ["A headline without a full stop"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


def test_every_sentence_of_the_seed_article_ends_with_punctuation(engine: Engine) -> None:
    for passage in engine.sentence_table:
        assert passage.text.rstrip("”\"'’)")[-1] in ".?!", passage.text
        # No sentence starts inside an abbreviation or a quote's attribution.
        assert not passage.text.startswith(("she said", "President Donald", "S. President"))


def test_a_run_longer_than_any_sentence_is_cut_at_spaces_into_pieces() -> None:
    text = " ".join(f"word{n}" for n in range(60_000))  # a page pasted as one line, no full stop
    spans = split_sentences(text)
    assert max(e - s for s, e in spans) <= MAX_SENTENCE_CHARS
    assert " ".join(text[s:e] for s, e in spans) == text  # every word kept, none cut in two


def test_unclosed_quotes_do_not_make_a_paragraph_one_sentence() -> None:
    # Each check for an open quote reads the sentence so far: it must stay short.
    text = "“He said it. " * 5_000
    spans = split_sentences(text)
    assert max(e - s for s, e in spans) <= MAX_SENTENCE_CHARS
    assert " ".join(text[s:e] for s, e in spans) == text.strip()
