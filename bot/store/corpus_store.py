"""Where the saved index lives and when it is reused, merged or rebuilt.

On open: a saved index whose format, analyser and corpus path are today's and whose files are
intact is compared with the corpus files (size and time, then a checksum when those differ). No
change: it is served as it is, memory-mapped. A few files changed (under a quarter of the
corpus's bytes): only those are read and merged in (:mod:`bot.index.merge`). Else, or when
anything about the saved index is wrong: a full build, as without a saved index. Whatever was
built or merged is saved again for the next start.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from bot.corpus import load as corpus_mod
from bot.corpus.duplicates import DuplicateCheck, text_digest
from bot.corpus.folder import list_folder
from bot.corpus.report import LoadReport, NothingLoaded, log_problems
from bot.errors import CorpusError
from bot.index import Index
from bot.models import Article
from bot.progress import Progress
from bot.settings import Settings
from bot.store.files import (
    Corrupt,
    read_array,
    read_json,
    replace_text,
    verify,
    write_array,
    write_json,
)
from bot.store.manifest import (
    FORMAT,
    Manifest,
    SourceFile,
    aliases_digest,
    analyser_fingerprint,
    same_content,
    source_state,
)
from bot.text.aliases import Aliases
from bot.text.analyzer import Analyzer

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
# Changed files holding more than this share of the corpus's bytes: rebuild rather than merge.
REBUILD_SHARE = 0.25
# Work that took this long (s) is logged at INFO; quicker, at DEBUG (a CLI call stays quiet).
SLOW_S = 1.0
# Files of another save are removed once this old (s): a save still being written is spared.
STALE_S = 600.0


@dataclass
class Corpus:
    """A loaded corpus: its load report (the articles), its index, the files it was read from
    (path -> state) and each article's text digest (to tell syndicated copies in a merge)."""

    report: LoadReport
    index: Index
    files: dict[str, SourceFile] = field(default_factory=dict)
    digests: list[str] = field(default_factory=list)
    # Made by a merge: which sentences of the index merged into kept their place (in order;
    # the new ones follow), for what is aligned with sentences (the sentence vectors).
    kept: np.ndarray | None = None


class CorpusStore:
    """The saved index of one corpus (``settings.briefbot_corpus``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # Absolute: file names saved in the index must mean the same files from any folder.
        self.root = Path(settings.briefbot_corpus).expanduser().absolute()
        self.folder = index_folder(settings)
        self._fingerprint: str | None = None
        self._unsaved = False  # a save failed: said once, not at every update

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = analyser_fingerprint(self.settings.briefbot_aliases_file)
        return self._fingerprint

    # --- open, update -----------------------------------------------------------------------
    def open(self) -> Corpus:
        """The corpus as it is now, from the saved index where it can (raises CorpusError as
        :func:`bot.corpus.load.load` does when nothing can be served)."""
        started = time.perf_counter()
        saved = self._read()
        if saved is not None:
            updated = self.update(saved)
            if updated is not None:
                took = time.perf_counter() - started
                log.log(
                    logging.INFO if took >= SLOW_S else logging.DEBUG,
                    "index: %s in %.2f s (%d sentences, %s)",
                    "reused" if updated.index is saved.index else "updated",
                    took,
                    len(updated.index),
                    self.folder,
                )
                if updated.index is saved.index:
                    log_problems(updated.report)  # as a start without a saved index would
                self.save_changes(saved, updated)
                return updated
        built = self.build()
        took = time.perf_counter() - started
        log.log(
            logging.INFO if took >= SLOW_S else logging.DEBUG,
            "index: built in %.2f s (%d sentences)",
            took,
            len(built.index),
        )
        self.save(built)
        return built

    def update(self, current: Corpus) -> Corpus | None:
        """``current`` brought up to date with the corpus files: itself when nothing changed, a
        merge when a few files did; None when a full build is the better way (many changes, or
        no article left, which a build reports properly)."""
        now = self.file_states(current.files)
        changed = {
            p
            for p in current.files.keys() | now.keys()
            if not same_content(current.files.get(p), now.get(p))
        }
        if not changed:  # the same index; perhaps new times of files touched, not changed
            return current if now == current.files else replace(current, files=now)
        total = sum(s.size for s in now.values()) or 1
        moved = sum(s.size for p in changed for s in (current.files.get(p), now.get(p)) if s)
        if moved > REBUILD_SHARE * total * 2:
            return None
        merged = self._merge(current, now, changed)
        return merged if merged.report.articles else None

    def save_changes(self, before: Corpus | None, after: Corpus) -> None:
        """Save what :meth:`update` made of ``before``: the whole index when it changed, only
        the files' new times when they were touched, nothing when nothing moved."""
        if before is None or after.index is not before.index:
            self.save(after)
        elif after.files != before.files:
            self.save(after, arrays=False)

    def file_states(self, known: dict[str, SourceFile]) -> dict[str, SourceFile]:
        """Every corpus file's state now (checksums only of files whose size or time moved)."""
        if self.root.is_file():
            paths = [self.root]
        elif self.root.is_dir():
            paths = list_folder(self.root).files
        else:
            paths = []
        out = {}
        for path in paths:
            state = source_state(path, known.get(str(path)))
            if state is not None:
                out[str(path)] = state
        return out

    def build(self) -> Corpus:
        """Load and index every article (raises CorpusError when none loads)."""
        files = self.file_states({})  # before the load: a change during it is seen next time
        size = sum(f.size for f in files.values())
        with Progress(f"reading the corpus ({len(files)} files, {size / 2**20:.0f} MB)", tick=True):
            report = corpus_mod.load(self.root)
        analyzer = Analyzer(Aliases.from_file(self.settings.briefbot_aliases_file))
        index = Index(report.articles, analyzer)
        return Corpus(report, index, files, [text_digest(a) for a in report.articles])

    def _merge(self, base: Corpus, now: dict[str, SourceFile], changed: set[str]) -> Corpus:
        """``base`` with the articles of the ``changed`` files read again."""
        old = base.index.articles
        keep = np.fromiter(
            (a.origin is None or a.origin.file not in changed for a in old),
            dtype=bool,
            count=len(old),
        )
        r = base.report
        report = LoadReport(
            skipped=[s for s in r.skipped if s.path not in changed],
            duplicates=[d for d in r.duplicates if d.origin.file not in changed],
            warnings=[w for w in r.warnings if w.path not in changed],
            ignored=r.ignored,
            files=len(now),
        )
        check = DuplicateCheck()
        digests = []
        for art, digest, k in zip(old, base.digests, keep.tolist(), strict=True):
            if k:
                check.keep(art, digest)
                digests.append(digest)
        added: list[Article] = []
        for path in sorted(changed & now.keys()):
            try:
                part = corpus_mod.load(path, warn=False)
            except NothingLoaded as exc:
                part = exc.report
            except CorpusError:  # gone again since
                continue
            fresh = LoadReport(
                skipped=part.skipped, duplicates=part.duplicates, warnings=part.warnings
            )
            for art in part.articles:
                digest = text_digest(art)
                repeat = check.check(art, digest)
                if repeat is not None:
                    fresh.duplicates.append(repeat)
                    if repeat.kind == "id":
                        continue
                digests.append(digest)
                added.append(art)
            log_problems(fresh)  # a broken new file is named in the log, as at start-up
            report.skipped += fresh.skipped
            report.duplicates += fresh.duplicates
            report.warnings += fresh.warnings
        index = base.index.merged(keep, added)
        report.articles = index.articles
        kept = keep[base.index.sentence_articles]
        return Corpus(report, index, now, digests, kept)

    # --- saving and reading ------------------------------------------------------------------
    def save(self, corpus: Corpus, *, arrays: bool = True) -> None:
        """Write ``corpus`` for the next start; a folder that cannot be written is logged once
        and the bot goes on (the index is built again next time)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            manifest = self._manifest_for(corpus, arrays=arrays)
            if manifest is None:
                return
            replace_text(self.folder / MANIFEST, manifest.model_dump_json())
            corpus.index.saved_as = manifest.generation
            self._remove_stale(manifest.generation)
        except OSError as exc:
            if not self._unsaved:
                log.warning(
                    "could not save the index to %s (%s): it is built again at the next start; "
                    "set BRIEFBOT_INDEX_DIR to a writable folder",
                    self.folder,
                    exc.strerror or exc,
                )
            self._unsaved = True

    def _manifest_for(self, corpus: Corpus, *, arrays: bool) -> Manifest | None:
        if not arrays:  # only the files' times moved: the saved parts stay
            try:
                old = Manifest.model_validate_json((self.folder / MANIFEST).read_bytes())
            except (OSError, ValidationError):
                return None
            return old.model_copy(update={"files": corpus.files})
        generation = f"{time.time_ns():x}{os.getpid():x}"
        saved, meta = corpus.index.encode(corpus.report)
        meta["digests"] = corpus.digests
        with Progress("saving the index", len(saved) + 1, unit="files") as progress:
            parts = {}
            for name, array in saved.items():
                parts[name] = write_array(self.folder, f"{generation}.{name}.npy", array)
                progress.advance()
            parts["meta"] = write_json(self.folder, f"{generation}.meta.json", meta)
        return Manifest(
            format=FORMAT,
            analyser=self.fingerprint,
            aliases=aliases_digest(self.settings.briefbot_aliases_file),
            corpus=str(self.root.resolve()),
            generation=generation,
            sentences=len(corpus.index),
            articles=len(corpus.index.articles),
            files=corpus.files,
            parts=parts,
        )

    def _remove_stale(self, generation: str) -> None:
        now = time.time()
        for path in self.folder.iterdir():
            gen = path.name.split(".", 1)[0]
            if path.name == MANIFEST or path.name.startswith(".") or gen == generation:
                continue
            try:
                if now - path.stat().st_mtime > STALE_S or gen.endswith(f"{os.getpid():x}"):
                    path.unlink()
            except OSError:
                pass

    def _read(self) -> Corpus | None:
        """The saved corpus, or None (none, another version, or damaged: said in the log)."""
        path = self.folder / MANIFEST
        if not path.is_file():
            return None
        try:
            manifest = Manifest.model_validate_json(path.read_bytes())
        except (OSError, ValidationError) as exc:
            log.warning("index: %s is unreadable (%s); building the index again", path, _short(exc))
            return None
        if manifest.format == FORMAT and manifest.aliases != aliases_digest(
            self.settings.briefbot_aliases_file
        ):
            log.info(
                "index: the aliases (BRIEFBOT_ALIASES_FILE) changed since it was saved; "
                "building the index again"
            )
            return None
        if manifest.format != FORMAT or manifest.analyser != self.fingerprint:
            log.info("index: saved by another version of briefbot; building the index again")
            return None
        if manifest.corpus != str(self.root.resolve()):
            log.info("index: saved for another corpus (%s); building it again", manifest.corpus)
            return None
        try:
            index, report, digests = self._decode(manifest)
        except Corrupt as exc:
            log.warning(
                "index: the saved index in %s is damaged (%s); building it again",
                self.folder,
                _short(exc),
            )
            return None
        index.saved_as = manifest.generation
        return Corpus(report, index, dict(manifest.files), digests)

    def _decode(self, manifest: Manifest) -> tuple[Index, LoadReport, list[str]]:
        """The saved index, put together while its files' checksums are checked in threads;
        served only once every one is right (raises Corrupt)."""
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="index-check") as pool:
            checks = [pool.submit(verify, self.folder, s) for s in manifest.parts.values()]
            failure: Exception | None = None
            try:
                parts = dict(manifest.parts)
                meta = read_json(self.folder, parts.pop("meta"))
                arrays = {name: read_array(self.folder, stored) for name, stored in parts.items()}
                analyzer = Analyzer(Aliases.from_file(self.settings.briefbot_aliases_file))
                index, report = Index.decode(arrays, meta, analyzer)
                digests = list(meta["digests"])
            except Exception as exc:  # damaged data fails in many ways; the checksums say which
                failure = exc
            for check in checks:
                check.result()  # raises Corrupt
        if failure is not None:
            if isinstance(failure, Corrupt):
                raise failure
            raise Corrupt(f"{type(failure).__name__}: {failure}") from failure
        return index, report, digests


def index_folder(settings: Settings) -> Path:
    """Where the saved index of ``settings``' corpus goes: ``BRIEFBOT_INDEX_DIR`` (one
    sub-folder per corpus), else ``.briefbot/lexical`` in the corpus folder (beside a
    single-file corpus, named after it)."""
    root = Path(settings.briefbot_corpus).expanduser()
    if settings.briefbot_index_dir is not None:
        key = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:12]
        return Path(settings.briefbot_index_dir).expanduser() / f"lexical-{key}"
    if root.is_file():
        return root.parent / ".briefbot" / f"lexical-{root.name}"
    return root / ".briefbot" / "lexical"


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
