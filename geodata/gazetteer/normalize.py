"""Name normalisation shared by the gazetteer's index and every lookup."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_DELETED = str.maketrans("", "", "'\u2019.")
_LEADING_ARTICLE = re.compile(r"^the ")


def normalize(name: str) -> str:
    """Case-fold, strip accents and punctuation, collapse spaces, drop a leading "the".

    "The Gaza Strip" -> "gaza strip"; "Deir ez-Zor" -> "deir ez zor"; "São Paulo" -> "sao paulo".
    """
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = _NON_WORD.sub(" ", stripped.casefold().translate(_DELETED)).replace("_", " ")
    words = " ".join(words.split())
    dropped = _LEADING_ARTICLE.sub("", words)
    return dropped or words


def is_latin(name: str) -> bool:
    """True when the name has at least one ASCII letter once accents are gone (worth indexing)."""
    return any("a" <= ch <= "z" for ch in normalize(name))
