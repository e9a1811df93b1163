"""Tokenising: folding, stemming, stopwords and aliases, with offsets into the original text."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.errors import ConfigError
from bot.text.aliases import Aliases
from bot.text.analyzer import INVISIBLE, Analyzer, clean, fold
from bot.text.wordlists import STOPWORDS
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def terms(analyzer: Analyzer, text: str) -> list[str]:
    return [t.term for t in analyzer.tokenize(text)]


def test_fold_lowercases_and_straightens_curly_quotes_keeping_length() -> None:
    text = "“Takaichi’s” visit — ＴＯＫＹＯ"
    folded = fold(text)
    assert folded == '"takaichi\'s" visit - tokyo'
    assert len(folded) == len(text)


def test_full_width_and_upper_case_words_match_their_plain_form(analyzer: Analyzer) -> None:
    assert terms(analyzer, "ＴＡＫＡＩＣＨＩ") == terms(analyzer, "Takaichi") == ["takaichi"]


def test_clean_drops_control_and_bidi_characters_and_applies_nfkc() -> None:
    assert clean("a\x00b\u202e evil\u202c \ufb01nance\t\n  x") == "a b evil finance x"


@pytest.mark.parametrize("mark", list(INVISIBLE))
def test_invisible_characters_inside_a_word_are_read_through(analyzer: Analyzer, mark: str) -> None:
    text = clean(f"when is Taka{mark}ichi visiting?")
    (name, visit) = analyzer.tokenize(text)
    assert (name.term, name.raw) == ("takaichi", "takaichi")
    assert text[name.start : name.end] == f"Taka{mark}ichi"  # the span covers it: exact highlights
    assert text[visit.start : visit.end] == "visiting"
    assert analyzer.terms(text) == ["takaichi", "visit"]


def test_invisible_characters_between_words_still_separate_them(analyzer: Analyzer) -> None:
    assert terms(analyzer, "end.\ufeffThe \u200bstart\u200b") == ["end", "start"]


@pytest.mark.parametrize(
    ("inflected", "plain"),
    [("visiting", "visit"), ("visited", "visits"), ("talks", "talking"), ("agreed", "agree")],
)
def test_inflected_forms_share_a_stem(analyzer: Analyzer, inflected: str, plain: str) -> None:
    assert terms(analyzer, inflected) == terms(analyzer, plain)


def test_stopwords_are_dropped_unless_asked_for(analyzer: Analyzer) -> None:
    text = "What is the name of the plan?"
    assert terms(analyzer, text) == ["name", "plan"]
    kept = [t.raw for t in analyzer.tokenize(text, keep_stopwords=True)]
    assert kept == ["what", "is", "the", "name", "of", "the", "plan"]
    assert {"what", "is", "the", "of"} <= STOPWORDS


def test_question_of_only_stopwords_has_no_terms(analyzer: Analyzer) -> None:
    assert terms(analyzer, "What is it that they have been doing there?") == []


@pytest.mark.parametrize("variant", ["US", "U.S.", "USA", "United States", "America", "the us"])
def test_names_of_the_united_states_are_one_term(analyzer: Analyzer, variant: str) -> None:
    assert terms(analyzer, variant) == ["united_states"]


@pytest.mark.parametrize("variant", ["UK", "U.K.", "United Kingdom", "Britain"])
def test_names_of_the_united_kingdom_are_one_term(analyzer: Analyzer, variant: str) -> None:
    assert terms(analyzer, variant) == ["united_kingdom"]


@pytest.mark.parametrize("variant", ["PM", "prime minister", "Prime Minister"])
def test_pm_and_prime_minister_are_one_term(analyzer: Analyzer, variant: str) -> None:
    assert terms(analyzer, variant) == ["prime_minister"]


def test_pronoun_us_is_not_the_united_states(analyzer: Analyzer) -> None:
    assert "united_states" not in terms(analyzer, "Tell us what happened to us")
    assert "united_states" in terms(analyzer, "when is takaichi visiting the us")


def test_alias_inside_a_hyphenated_compound_is_recognised(analyzer: Analyzer) -> None:
    assert terms(analyzer, "the Japan-U.S. alliance") == [
        "japan",
        "united_states",
        *terms(analyzer, "alliance"),
    ]


def test_token_offsets_point_at_the_original_words(analyzer: Analyzer) -> None:
    text = "“Prime Minister Takaichi’s” ＵＳ trip, visiting U.S. on Jan. 5"
    tokens = analyzer.tokenize(text)
    surfaces = [text[t.start : t.end] for t in tokens]
    assert surfaces == ["Prime Minister", "Takaichi", "ＵＳ", "trip", "visiting", "U.S", "Jan", "5"]
    assert [t.term for t in tokens][:3] == ["prime_minister", "takaichi", "united_states"]


def test_cjk_text_is_tokenised_per_character(analyzer: Analyzer) -> None:
    text = "高市首相が訪米"
    tokens = analyzer.tokenize(text)
    assert [t.term for t in tokens] == list(text)
    assert all(text[t.start : t.end] == t.term for t in tokens)


def test_user_alias_file_in_yaml_extends_the_built_in_table(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text("bank of japan:\n  - BOJ\n  - the central bank\n", encoding="utf-8")
    analyzer = Analyzer(Aliases.from_file(path))
    assert terms(analyzer, "BOJ") == terms(analyzer, "Bank of Japan") == ["bank_of_japan"]
    assert terms(analyzer, "the central bank") == ["bank_of_japan"]
    assert terms(analyzer, "US") == ["united_states"]  # built-ins still apply


def test_user_alias_file_in_json_extends_the_built_in_table(tmp_path: Path) -> None:
    path = tmp_path / "aliases.json"
    path.write_text(json.dumps({"self-defense forces": ["SDF", "JSDF"]}), encoding="utf-8")
    analyzer = Analyzer(Aliases.from_file(path))
    assert (
        terms(analyzer, "SDF") == terms(analyzer, "JSDF") == terms(analyzer, "Self-Defense Forces")
    )


def test_engine_reads_the_alias_file_named_in_settings(
    write_article: Callable[..., Path], tmp_path: Path
) -> None:
    folder = write_article(
        "boj.md",
        "Central bank holds rates",
        "2026-02-01",
        "The Bank of Japan kept its policy rate unchanged on Tuesday.",
    )
    aliases = tmp_path / "extra" / "aliases.yml"
    aliases.parent.mkdir()
    aliases.write_text("bank of japan: [BOJ]\n", encoding="utf-8")
    engine = Engine.load(make_settings(briefbot_corpus=folder, briefbot_aliases_file=aliases))
    answer = engine.ask_sync("When did the BOJ keep its rate unchanged?")
    assert answer.answered
    assert "Bank of Japan" in answer.passages[0].quote


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bad.yaml", "bank of japan: [BOJ\n"),
        ("bad.json", "{not json"),
        ("list.yaml", "- BOJ\n- SDF\n"),
        ("scalar.json", json.dumps({"bank of japan": "BOJ"})),
    ],
)
def test_bad_alias_file_is_a_config_error(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match="BRIEFBOT_ALIASES_FILE"):
        Engine([], make_settings(briefbot_aliases_file=path))


def test_missing_alias_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="BRIEFBOT_ALIASES_FILE"):
        Aliases.from_file(tmp_path / "nope.yaml")
