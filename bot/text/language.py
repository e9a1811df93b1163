"""Which language a question is in, so that one the bot cannot read gets told so.

The bot reads English only; a question in Spanish would otherwise get "nothing in the corpus
answers that", as if the corpus lacked the story. Two signals must agree before a question is
called foreign, because refusing an English question is far worse than the reverse:

* py3langid (a maintained fork of langid.py, BSD-3-Clause, its model inside the wheel) is sure
  it is another language, among the languages people are likely to write in (a smaller set
  makes it surer on short texts);
* most of its words are not words of the corpus: "Ventura Chega Assembleia da República
  seats" is English about Portugal, its names are in the articles.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Container
from typing import Any

__all__ = ["LANGUAGES", "foreign_language", "warm_up"]

#: The languages told apart (ISO 639-1 code: English name), English first.
LANGUAGES = {
    "en": "English",
    "es": "Spanish",
    "pt": "Portuguese",
    "de": "German",
    "fr": "French",
    "it": "Italian",
    "nl": "Dutch",
    "pl": "Polish",
    "tr": "Turkish",
    "ru": "Russian",
    "uk": "Ukrainian",
    "ar": "Arabic",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "hi": "Hindi",
    "id": "Indonesian",
    "vi": "Vietnamese",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian",
    "fi": "Finnish",
    "cs": "Czech",
    "ro": "Romanian",
    "hu": "Hungarian",
    "el": "Greek",
    "he": "Hebrew",
    "fa": "Persian",
    "ca": "Catalan",
    "th": "Thai",
}
SURE = 0.7  # py3langid's probability (normalised over LANGUAGES) for another language
KNOWN_SHARE = 0.5  # at least this share of the words in the corpus: read as English anyway
_WORD = re.compile(r"[^\W\d_]{3,}")
# Scripts written without spaces between words: the corpus check does not apply.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")

_identifier: Any = None
_missing = False
_lock = threading.Lock()
log = logging.getLogger(__name__)


def _model() -> Any:
    """The identifier, loaded once (about a second) on first use or at a bot's warm-up; None
    (said once) when the wheel is not installed: every question is then read as English."""
    global _identifier, _missing
    if _identifier is None and not _missing:
        with _lock:
            if _identifier is None and not _missing:
                try:
                    from py3langid.langid import MODEL_FILE, LanguageIdentifier
                except ImportError:
                    _missing = True
                    log.warning(
                        "py3langid is not installed (make run installs it, see "
                        "requirements-model.txt): questions in other languages get "
                        "'not found' instead of being told the bot reads English only"
                    )
                    return None
                ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                ident.set_languages(list(LANGUAGES))
                _identifier = ident
    return _identifier


def warm_up() -> None:
    """Load the model now rather than on the first question that needs it."""
    _model()


def foreign_language(text: str, vocabulary: Container[str]) -> str | None:
    """The English name of ``text``'s language when it is surely not English, else None.

    ``vocabulary``: the corpus's words, lower-cased (a question most of whose words are in it
    is read as English whatever the identifier says)."""
    model = _model()
    if model is None or not any(c.isalpha() for c in text):
        return None
    code, p = model.classify(text)
    if code == "en" or p < SURE:
        return None
    words = [w.lower() for w in _WORD.findall(text)]
    if words and not _UNSPACED.search(text):
        known = sum(w in vocabulary for w in words)
        if known >= KNOWN_SHARE * len(words):
            return None
    return LANGUAGES.get(str(code))
