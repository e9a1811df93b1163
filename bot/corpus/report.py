"""What loading a corpus reports: the articles, what was skipped and why, repeats, warnings.

``briefbot corpus check`` prints a report whole; a bot logs its first problems at start-up.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

from bot.corpus.duplicates import Duplicate
from bot.corpus.folder import FORMATS
from bot.errors import CorpusError
from bot.models import Article
from bot.text.sentences import MAX_SENTENCE_CHARS

log = logging.getLogger("bot.corpus.load")

_LOG_EACH = 20
# An article dated further ahead than this is most likely a typo (2099 for 2029): loaded, but
# reported, since it would head every "latest" briefing. Two days allow for time zones.
FUTURE_SLACK = dt.timedelta(days=2)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s")


@dataclass
class Skipped:
    """One thing that did not load, and why: shown by ``briefbot corpus check``."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path  # 0: the file as a whole
        return f"{where}: {self.reason}"


@dataclass
class LoadReport:
    """The articles loaded, plus what was skipped, which ids or texts repeat, and warnings about
    articles that loaded but look wrong (a date far ahead)."""

    articles: list[Article] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    warnings: list[Skipped] = field(default_factory=list)
    ignored: str = ""  # files in other formats, summed up ("" when none)
    files: int = 0


class NothingLoaded(CorpusError):
    """No article could be loaded; the report says, file by file, why."""

    def __init__(self, message: str, report: LoadReport) -> None:
        super().__init__(message)
        self.report = report


def log_problems(report: LoadReport) -> None:
    """Warn of the first problems of each kind: a bot's log names them at start-up."""
    # A bulk collection can repeat thousands of times: name the first few, then count.
    for s in report.skipped[:_LOG_EACH]:
        log.warning("skipped %s", s)
    for d in report.duplicates[:_LOG_EACH]:
        log.warning("duplicate %s", d)
    for w in report.warnings[:_LOG_EACH]:
        log.warning("%s", w)
    hidden = sum(max(0, len(x) - _LOG_EACH) for x in (report.skipped, report.duplicates))
    hidden += max(0, len(report.warnings) - _LOG_EACH)
    if hidden:
        log.warning("%d more problems with the corpus: run `briefbot corpus check`", hidden)
    if report.ignored:
        log.info("%s", report.ignored)


def why_nothing(report: LoadReport) -> str:
    """Why a corpus yielded no article, in a clause (": 3 skipped (...); ..."), or ""."""
    why = []
    if report.skipped:
        why.append(f"{len(report.skipped)} skipped (run `briefbot corpus check` for the reasons)")
    if report.ignored:
        why.append(report.ignored)
    if not report.files and not why:
        why.append(f"no {', '.join(FORMATS[:-1])} or {FORMATS[-1]} files in it")
    return ": " + "; ".join(why) if why else ""


def article_warnings(art: Article, latest: dt.date) -> list[Skipped]:
    """What looks wrong in an article that loaded: a date after ``latest``, a run of text too
    long to be a sentence (a page pasted as one line), which is indexed in pieces."""
    where, line = (art.origin.file, art.origin.line) if art.origin else ("", 0)
    out = []
    if art.date > latest:
        out.append(
            Skipped(
                where,
                int(line),
                f"dated {art.date}, in the future: a typo? "
                "It heads every briefing of the latest articles until then",
            )
        )
    longest = max(
        (
            max(map(len, _SENTENCE_END.split(p)))
            for p in (*art.paragraphs, art.caption or "")
            if len(p) > MAX_SENTENCE_CHARS
        ),
        default=0,
    )
    if longest > MAX_SENTENCE_CHARS:
        out.append(
            Skipped(
                where,
                int(line),
                f"a run of {longest:,} characters with no full stop: indexed and quoted in "
                f"pieces of at most {MAX_SENTENCE_CHARS:,}",
            )
        )
    return out
