"""Loading a corpus: Markdown with front matter, the seed's plain-text form, and JSON Lines.

Every article is validated with pydantic. A broken file or line is skipped with a warning naming
the file and line, so one bad article never takes the rest of the corpus down.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from bot.corpus import front_matter
from bot.corpus.duplicates import DuplicateCheck, text_digest
from bot.corpus.folder import FORMATS as FORMATS  # re-exported: what ingest writes
from bot.corpus.folder import list_folder
from bot.corpus.report import FUTURE_SLACK, article_warnings, log_problems, why_nothing
from bot.corpus.report import LoadReport as LoadReport
from bot.corpus.report import NothingLoaded as NothingLoaded
from bot.corpus.report import Skipped as Skipped
from bot.errors import CorpusError
from bot.models import Article, Origin
from bot.text.analyzer import clean, squash

log = logging.getLogger(__name__)

_TXT_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s*(.*?)\s*$", re.IGNORECASE)
# A photo caption in the seed form: a one-sentence opening paragraph in the present tense
# ("X speaks to the press after ..."), the way agencies caption their pictures.
_CAPTION_VERB = re.compile(
    r"^[^.!?]{0,120}?\b(?:speaks|talks|attends|arrives|walks|looks|stands|waves|gestures|"
    r"holds|poses|listens|delivers|shakes|greets|leaves|sits|smiles|answers|addresses|"
    r"is seen|are seen|is pictured|are pictured)\b"
)
_PHOTO_PREFIX = re.compile(r"^\s*(?:\*|_)*(?:photo|caption|picture)(?:\*|_)*\s*[:—-]\s*", re.I)


class ArticleIn(BaseModel):
    """What any format must provide; extra fields are ignored."""

    id: str | None = None
    title: str = Field(min_length=1, max_length=500)
    date: dt.date
    source: str = ""
    url: str | None = None
    tags: list[str] = Field(default_factory=list)
    body: str = ""
    caption: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any) -> Any:
        # YAML reads `id: 12345` as a number and `id: 2026-01-05` as a date: both are names.
        if isinstance(v, int | float | dt.date) and not isinstance(v, bool):
            return str(v)
        return v

    @field_validator("title", "source", mode="before")
    @classmethod
    def _strip(cls, v: Any) -> Any:
        return clean(v) if isinstance(v, str) else v

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, v: Any) -> Any:
        if isinstance(v, str):
            return [t.strip() for t in v.split(",") if t.strip()]
        return [] if v is None else v

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, str) and "T" in v:
            return v.split("T", 1)[0]
        if (isinstance(v, int | float) and not isinstance(v, bool)) or (
            isinstance(v, str) and _DIGITS.match(v)
        ):
            # pydantic would read 20250101 as seconds since 1970 and complain about the time.
            raise ValueError(_date_advice(str(v)))
        return v


_PLAIN_ID = re.compile(r"^id:\s*([\w.+-]+)\s*(?:#.*)?$")
_DIGITS = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")


def _date_advice(value: str) -> str:
    """Words for a date written as a number: how to write it, with the date it likely means."""
    digits = value.strip()
    example = "2026-01-05"
    if len(digits) == 8 and digits.isdigit():
        with contextlib.suppress(ValueError):  # 20251399: no such day, the usual example
            example = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:])).isoformat()
    return f"{digits} is a number, not a date: write dates as YYYY-MM-DD ({example})"


def load(path: Path | str, *, warn: bool = True) -> LoadReport:
    """Load a file or a folder (recursively); raises CorpusError when nothing can be served.

    ``warn=False`` leaves the reporting to the caller (``briefbot corpus check`` lists
    everything itself).
    """
    root = Path(path).expanduser()
    if not root.exists():
        if root.is_symlink():
            raise CorpusError(f"corpus path {root} is a broken symlink (to {root.readlink()})")
        raise CorpusError(f"corpus path {root} does not exist (set BRIEFBOT_CORPUS or --corpus)")
    report = LoadReport()
    if root.is_file():
        files = [root]
    else:
        listing = list_folder(root)
        files = listing.files
        report.skipped.extend(Skipped(p.path, 0, p.reason) for p in listing.problems)
        report.ignored = listing.ignored_summary()
    report.files = len(files)
    duplicates = DuplicateCheck()
    latest = dt.date.today() + FUTURE_SLACK  # later dates are reported
    for file in files:
        for art in _read_file(file, report):
            repeat = duplicates.check(art, text_digest(art))
            if repeat is not None:
                report.duplicates.append(repeat)
                if repeat.kind == "id":
                    continue
            report.warnings.extend(article_warnings(art, latest))
            report.articles.append(art)
    if warn:
        log_problems(report)
    if not report.articles:
        raise NothingLoaded(f"no articles could be loaded from {root}{why_nothing(report)}", report)
    return report


def _read_file(path: Path, report: LoadReport) -> Iterator[Article]:
    if path.suffix.lower() == ".jsonl":
        yield from _read_jsonl(path, report)
        return
    try:
        raw = path.read_bytes()
    except OSError as exc:
        report.skipped.append(Skipped(str(path), 0, f"cannot read: {exc.strerror or exc}"))
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        report.skipped.append(Skipped(str(path), line, "not valid UTF-8 text"))
        return
    reader = _read_markdown if path.suffix.lower() in (".md", ".markdown") else _read_txt
    try:
        fields, line = reader(text)
        yield _article(fields, Origin.of(path, line))
    except _Bad as exc:
        report.skipped.append(Skipped(str(path), exc.line, exc.reason))
    except ValidationError as exc:
        report.skipped.append(Skipped(str(path), _field_line(text, exc), _why(exc)))


class _Bad(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


def _read_markdown(text: str) -> tuple[dict[str, Any], int]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise _Bad(1, "no front matter: start the file with a '---' line, then title: and date:")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        raise _Bad(1, "front matter is not closed by a '---' line") from None
    try:
        meta = front_matter.load("\n".join(lines[1:end])) or {}
    except front_matter.AliasRefused as exc:
        raise _Bad(2 + exc.line, str(exc)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _Bad(
            2 + (mark.line if mark else 0), f"front matter is not valid YAML: {exc}"
        ) from None
    except ValueError as exc:  # a YAML timestamp that is no real date ("date: 2026-13-45")
        raise _Bad(2, f"front matter has a bad date: {exc}") from None
    except RecursionError:  # PyYAML composes nested lists recursively: "[[[[..." 400 deep
        raise _Bad(2, _TOO_DEEP) from None
    if _depth(meta) > MAX_NESTING:
        raise _Bad(2, _TOO_DEEP)
    if not isinstance(meta, dict):
        raise _Bad(2, "front matter must be 'key: value' lines")
    if isinstance(meta.get("id"), int | float):
        # `id: 0123` is the number 83 to YAML: keep the id as it was written.
        written = next(filter(None, map(_PLAIN_ID.match, lines[1:end])), None)
        meta["id"] = written[1] if written else meta["id"]
    body_lines = lines[end + 1 :]
    paragraphs, caption = [], meta.get("caption")
    for para in _paragraphs("\n".join(body_lines)):
        if _PHOTO_PREFIX.match(para) and caption is None:
            caption = _PHOTO_PREFIX.sub("", para).strip("*_ ")
            continue
        paragraphs.append(para)
    meta["body"] = "\n\n".join(paragraphs)
    if caption is not None:
        meta["caption"] = str(caption)
    return meta, 1


def _read_txt(text: str) -> tuple[dict[str, Any], int]:
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise _Bad(1, "empty file")
    m = _TXT_HEADER.match(lines[first])
    if not m:
        raise _Bad(first + 1, "first line must be 'date YYYY-MM-DD <source>'")
    paragraphs = _paragraphs("\n".join(lines[first + 1 :]))
    caption = None
    if len(paragraphs) > 1 and _is_caption(paragraphs[0]):
        caption = paragraphs.pop(0)
    if not paragraphs:
        raise _Bad(first + 2, "no text after the date line")
    return {
        "date": m.group(1),
        "source": m.group(2),
        "title": _title_from(paragraphs[0]),
        "body": "\n\n".join(paragraphs),
        "caption": caption,
    }, first + 1


def _read_jsonl(path: Path, report: LoadReport) -> Iterator[Article]:
    """The articles of a JSON Lines file, read a line at a time: a bulk file never sits in memory
    whole, as bytes, text and lines at once (3x its size at peak).

    As for any file, text that is not UTF-8 skips the whole file, so nothing is yielded (or
    reported) before the last line is read.
    """
    articles: list[Article] = []
    skipped: list[Skipped] = []
    n = 0  # lines as str.splitlines() counts them, as if the whole file were decoded
    try:
        with path.open("rb") as f:
            for b, raw in enumerate(f, start=1):
                try:
                    chunk = raw.decode("utf-8-sig" if b == 1 else "utf-8")
                except UnicodeDecodeError:
                    report.skipped.append(Skipped(str(path), b, "not valid UTF-8 text"))
                    return
                # Binary lines end at "\n" only; str.splitlines() also breaks at "\r", "\x0c",
                # "\u2028"...: number lines as it does on the whole text.
                for line in chunk.splitlines():
                    n += 1
                    art = _jsonl_article(path, n, line, skipped)
                    if art is not None:
                        articles.append(art)
    except OSError as exc:
        report.skipped.append(Skipped(str(path), 0, f"cannot read: {exc.strerror or exc}"))
        return
    report.skipped.extend(skipped)
    yield from articles


# An article is a flat record (a list of tags at most): anything nested deeper than this is not
# one, and deep nesting is how a small file exhausts a recursive parser.
MAX_NESTING = 8
_TOO_DEEP = f"nested more than {MAX_NESTING} levels deep: an article is a flat record"


def _depth(value: object) -> int:
    """How deeply lists and mappings nest in ``value`` (without recursing on it)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list | tuple):
            deepest = max(deepest, level)
            stack += [(x, level + 1) for x in item]
    return deepest


def _jsonl_article(path: Path, n: int, line: str, skipped: list[Skipped]) -> Article | None:
    """The article on line ``n``, or None with the reason added to ``skipped``."""
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        skipped.append(Skipped(str(path), n, f"not valid JSON: {exc.msg}"))
        return None
    except RecursionError:  # the json module recurses on nesting: "[[[[..." ~1,000 deep
        obj = None
    if obj is None or _depth(obj) > MAX_NESTING:
        skipped.append(Skipped(str(path), n, _TOO_DEEP))
        return None
    if not isinstance(obj, dict):
        skipped.append(Skipped(str(path), n, "each line must be a JSON object"))
        return None
    try:
        if isinstance(obj.get("body"), list):
            obj["body"] = "\n\n".join(map(str, obj["body"]))
        return _article(obj, Origin.of(path, n))
    except ValidationError as exc:
        skipped.append(Skipped(str(path), n, _why(exc)))
    except _Bad as exc:
        skipped.append(Skipped(str(path), n, exc.reason))
    return None


def _article(fields: dict[str, Any], origin: Origin) -> Article:
    data = ArticleIn.model_validate(fields)
    # clean() collapses whitespace itself: the same paragraphs as clean(squash(p)), one pass less.
    paragraphs = tuple(p for p in map(clean, _PARA_BREAK.split(data.body)) if p)
    if not paragraphs:
        raise _Bad(origin.line, "the article has no body text")
    ident = str(data.id).strip() if data.id not in (None, "") else None
    if not ident:
        ident = _digest(f"{data.title}\n{data.date}\n{paragraphs[0]}")[:12]
    return Article(
        id=ident,
        title=data.title,
        date=data.date,
        source=data.source,
        url=data.url or None,
        tags=tuple(str(t) for t in data.tags),
        paragraphs=paragraphs,
        caption=clean(data.caption) if data.caption else None,
        origin=origin,
    )


_PARA_BREAK = re.compile(r"\n\s*\n")


def _paragraphs(body: str) -> list[str]:
    return [squash(p) for p in _PARA_BREAK.split(body) if p.strip()]


def _is_caption(paragraph: str) -> bool:
    from bot.text.sentences import split_sentences

    return len(split_sentences(paragraph)) == 1 and bool(_CAPTION_VERB.match(paragraph))


def _title_from(paragraph: str) -> str:
    from bot.text.sentences import split_sentences

    a, b = split_sentences(paragraph)[0]
    sentence = paragraph[a:b]
    return sentence if len(sentence) <= 120 else sentence[:117].rsplit(" ", 1)[0] + "…"


def _digest(text: str) -> str:
    return hashlib.sha1(squash(text.lower()).encode()).hexdigest()


def _why(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "article"
        if err["type"] == "missing":
            msg = "is missing"
        elif err["type"] == "value_error":  # our own wording, as written (no "Value error, ")
            msg = str(err.get("ctx", {}).get("error", err["msg"]))
        else:
            msg = err["msg"].lower()
        parts.append(f"{loc} {msg}")
    return "; ".join(parts)


def _field_line(text: str, exc: ValidationError) -> int:
    """The front-matter line of the first bad field, so warnings point at the right line."""
    for err in exc.errors():
        if err["loc"]:
            name = str(err["loc"][0])
            for n, line in enumerate(text.splitlines(), start=1):
                if line.lstrip().startswith(f"{name}:"):
                    return n
    return 1
