"""The reader with its shipped weights: it finds the sentence that answers, points at the answer,
and stays silent otherwise, whatever the size of the corpus around the passage."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.answer.candidates import Judged
from bot.answer.query import analyse
from bot.answer.ranking import score_sentences
from bot.engine import Engine
from bot.models import Answer
from bot.semantic.reader import shared_reader
from tests.conftest import make_settings

BUNDLED = Path(__file__).parents[3] / "corpus"


@pytest.fixture(scope="module")
def seed() -> Engine:
    """The bundled seed article, with the sentence model and the reader."""
    return Engine.load(make_settings(briefbot_corpus=BUNDLED, briefbot_semantic=True))


def marked(answer: Answer) -> str:
    first = answer.passages[0]
    return " ".join(first.quote[a:b] for a, b in first.highlight)


@pytest.mark.parametrize(
    ("question", "quote", "answer"),
    [
        ("Who requested the telephone call?", "requested by the Japanese side", "Japanese side"),
        ("When will Trump visit China?", "visit China in April", "April"),
        ("What region did the leaders talk about?", "exchanged views mainly", "Indo-Pacific"),
        ("When did China hold military drills around Taiwan?", "military drills", "December"),
    ],
)
def test_a_question_in_chat_words_is_answered_with_the_answer_highlighted(
    seed: Engine, question: str, quote: str, answer: str
) -> None:
    got = seed.ask_sync(question)
    assert got.answered, question
    assert quote in got.passages[0].quote
    assert answer in marked(got)
    assert got.confidence is not None and got.confidence >= seed.answerer.threshold


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",
        "Who won the 1998 football world cup?",
        "How many moons does Mars have?",
        "When did the Japanese prime minister visit Brazil?",
    ],
)
def test_a_question_the_article_does_not_answer_gets_no_quote(seed: Engine, question: str) -> None:
    got = seed.ask_sync(question)
    assert not got.answered and not got.passages, question
    assert got.hint  # says what the corpus covers instead


def test_the_reader_judges_a_pair_on_its_own() -> None:
    """The verdict on one sentence does not depend on what is read beside it."""
    reader = shared_reader()
    title = "Takaichi, Trump Agree to Arrange Her U.S. Visit This Spring"
    right = "The telephone call was reportedly requested by the Japanese side."
    other = "Heavy snow forced the suspension of bullet train services in northern Japan."
    alone = reader.read("Who requested the call?", [(title, right)])[0]
    together = reader.read("Who requested the call?", [(title, other), (title, right)])
    assert together[1].logit == pytest.approx(alone.logit, abs=1e-3)
    assert together[1].span == alone.span
    assert right[slice(*alone.span)] == "the Japanese side"  # type: ignore[misc]
    assert alone.logit > together[0].logit


def test_a_headline_holding_the_answer_does_not_sway_the_verdict_on_a_sentence() -> None:
    """The shipped reader reads the sentence alone (its meta says so): a headline that answers
    the question itself would otherwise lift every sentence of its article alike."""
    reader = shared_reader()
    assert reader.titles is False
    q = "when is Takaichi visiting the US?"
    caption = "Prime Minister Sanae Takaichi speaks to the press in Tokyo on Friday."
    headline = "Takaichi, Trump Agree to Arrange Her U.S. Visit This Spring"
    plain = reader.read(q, [("Briefing", caption)])[0]
    under_headline = reader.read(q, [(headline, caption)])[0]
    assert under_headline.logit == pytest.approx(plain.logit, abs=1e-6)


def _distractors(count: int) -> list[str]:
    """Short, ordinary news articles on other subjects (about ten sentences each)."""
    rng = random.Random(3)
    towns = ["Aberdeen", "Bergen", "Cork", "Dundee", "Exeter", "Faro", "Graz", "Hull", "Ivrea"]
    things = ["library", "tram line", "hospital wing", "harbour wall", "school", "bridge"]
    people = ["Mayor Ellis", "Councillor Novak", "Dr. Amara Osei", "Chief Engineer Lund"]
    out = []
    for i in range(count):
        town, thing, who = rng.choice(towns), rng.choice(things), rng.choice(people)
        lines = [
            f"The new {thing} in {town} will open in {rng.choice(['May', 'June', 'autumn'])}.",
            f"{who} said the project cost {rng.randint(2, 90)} million euros.",
            f"Work on the {thing} began {rng.randint(2, 6)} years ago after a public vote.",
            f"About {rng.randint(100, 9000)} residents signed a petition in support.",
            f"Local shops expect more visitors once the {thing} is finished.",
            f"The council of {town} will publish the final costs next year.",
            f"Critics said the {thing} should have been built closer to the centre.",
            f"{who} thanked the workers at a ceremony on {rng.choice(['Monday', 'Friday'])}.",
            f"A second {thing} is planned for the eastern district of {town}.",
            f"The regional government paid a third of the cost of the {thing}.",
        ]
        out.append(
            f'{{"id": "d{i}", "title": "{town} {thing} nears completion", "date": "2025-11-0'
            f'{1 + i % 9}", "source": "Local Wire", "body": "{" ".join(lines)}"}}'
        )
    return out


@pytest.mark.parametrize(
    ("question", "answered"),
    [
        ("Who requested the telephone call?", True),
        ("When will Trump visit China?", True),
        ("What is the capital of France?", False),
        ("How many moons does Mars have?", False),
    ],
)
def test_the_same_question_gets_the_same_decision_in_a_small_and_a_large_corpus(
    tmp_path_factory: pytest.TempPathFactory, seed: Engine, question: str, answered: bool
) -> None:
    big = _large_engine(tmp_path_factory)
    small_answer, big_answer = seed.ask_sync(question), big.ask_sync(question)
    assert small_answer.answered is big_answer.answered is answered
    if answered:
        assert small_answer.passages[0].quote == big_answer.passages[0].quote
        assert marked(small_answer) == marked(big_answer)


_BIG: dict[str, Engine] = {}


def _large_engine(factory: pytest.TempPathFactory) -> Engine:
    """The seed article among 500 other articles (5,000+ sentences), read from words and the
    reader while its vectors would still be computed (as a large corpus is at first)."""
    if "engine" not in _BIG:
        folder = factory.mktemp("large")
        (folder / "seed.md").write_text(
            (BUNDLED / "2026-01-03-takaichi-trump-call.md").read_text(encoding="utf-8"),
            encoding="utf-8",
        )
        (folder / "local.jsonl").write_text("\n".join(_distractors(500)) + "\n", encoding="utf-8")
        engine = Engine.load(
            make_settings(
                briefbot_corpus=folder, briefbot_semantic=True, briefbot_embed_sync_limit=0
            )
        )
        engine.close()  # no background embedding: candidates come from words, the reader decides
        assert len(engine.index) > 5000
        _BIG["engine"] = engine
    return _BIG["engine"]


def test_a_further_quote_needs_a_sure_reader_and_an_answer_the_first_lacks(
    write_article: Callable[..., Path],
) -> None:
    """Composition from the reader's verdicts (given here, so each rule is seen alone)."""
    folder = write_article(
        "talks.md",
        "Trade talks",
        "2026-02-01",
        "The talks will resume in March. Officials expect the talks to resume in March.\n\n"
        "A second round is planned for April. A third round may follow in April or May.",
    )
    engine = Engine.load(make_settings(briefbot_corpus=folder, briefbot_min_confidence=0.05))
    answerer, table = engine.answerer, engine.index.sentence_table
    query = analyse("When will the talks resume?", engine.index)
    ranked = score_sentences(list(range(len(table))), query, engine.index)
    by_text = {table.text(c.id): c for c in ranked}

    def judged(text: str, p: float, answer: str) -> Judged:
        start = text.index(answer)
        return Judged(by_text[text], 0.5, 1.0, p, (start, start + len(answer)))

    verdicts = [
        judged("The talks will resume in March.", 0.9, "March"),
        judged("Officials expect the talks to resume in March.", 0.85, "March"),  # same answer
        judged("A third round may follow in April or May.", 0.5, "April"),  # reader unsure
        judged("A second round is planned for April.", 0.8, "April"),  # sure, a new answer
    ]
    answer = answerer.compose_read(query, verdicts, limit=3)
    assert [p.quote for p in answer.passages] == [
        "The talks will resume in March.",
        "A second round is planned for April.",
    ]
    assert [p.quote[slice(*p.highlight[0])] for p in answer.passages] == ["March", "April"]
    refused = answerer.compose_read(
        query, [judged("The talks will resume in March.", 0.01, "March")], 3
    )
    assert not refused.answered and refused.confidence == 0.01
