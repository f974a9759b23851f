"""Which language an article is in: the one it declares (a `language` field, `--language`) or the one
lingua detects in its title and text.

lingua-language-detector: offline, maintained, and right on a sentence or two, where character-n-gram
detectors guess. It is asked to choose among the languages news comes in most often, so an article in
German is said to be German ("not geoparsed") rather than read as English; a text too short to tell
(a bare name, a one-line note) is read as `DEFAULT`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

SUPPORTED = ("en", "fr")  # the languages geoparsed; others are stored, searchable, not geoparsed
DEFAULT = "en"
# Languages the detector chooses among (ISO 639-1): the supported ones and those news often comes in.
CANDIDATES = ("en", "fr", "de", "es", "it", "pt", "nl", "ar", "ru", "uk", "tr", "fa", "pl", "zh")
MIN_LETTERS = 40  # fewer letters than this: too little to tell, read as DEFAULT
MIN_CONFIDENCE = 0.5  # the detector's own confidence in its first choice, below which DEFAULT is used
# Characters read from the start (title first): lingua's time grows with the text, and 300 already chose as
# 2,000 did on every article of the French set, GWN, LGL and German and Spanish news (measured 2026-11-29).
SAMPLE_CHARS = 500
# A first choice of a language not geoparsed below this confidence is checked on the text without its capitalised
# words: a short English text dense in foreign names ("Violence surged in Tijuana and Ciudad Juarez") reads as
# their language at 0.5 to 0.65, news written in that language at 1.0 (measured 2026-12-01).
SURE = 0.9
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


class LanguageError(ValueError):
    """A declared language that is not an ISO 639-1 code."""


def check_code(value: str) -> str:
    """A declared language as its lower-case ISO 639-1 code ("FR", "fr-FR" -> "fr")."""
    code = value.strip().lower().replace("_", "-").split("-", 1)[0]
    if len(code) != 2 or not code.isalpha() or not code.isascii():
        raise LanguageError(f"language {value!r} is not a two-letter ISO 639-1 code (en, fr, de...)")
    return code


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in CANDIDATES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def detect(text: str) -> str:
    """The ISO 639-1 code of the language `text` is written in; DEFAULT when it is too short to tell."""
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return DEFAULT
    code, value = _first_choice(sample)
    if code not in SUPPORTED and value < SURE:  # the names' language, or the text's?
        words, sure = _first_choice(_WORD.sub(lambda m: " " if m[0][0].isupper() else m[0], sample))
        if words in SUPPORTED and sure > 0:
            return words
    return code if value >= MIN_CONFIDENCE else DEFAULT


def _first_choice(text: str) -> tuple[str, float]:
    """The detector's first choice for `text` (ISO 639-1) and its confidence; DEFAULT at 0 when it has none."""
    values = _detector().compute_language_confidence_values(text)
    return (values[0].language.iso_code_639_1.name.lower(), values[0].value) if values else (DEFAULT, 0.0)


def language_of(text: str, title: str | None = None, declared: str | None = None) -> str:
    """The language an article is read in: the declared one, else the one detected in title and text."""
    if declared:
        return check_code(declared)
    return detect(f"{title}\n{text[:SAMPLE_CHARS]}" if title else text)
