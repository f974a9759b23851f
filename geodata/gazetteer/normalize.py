"""Name normalisation shared by the gazetteer's index and every lookup."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_DELETED = str.maketrans("", "", "'\u2019.")
_LEADING_ARTICLE = re.compile(r"^the ")


@lru_cache(maxsize=1 << 16)
def normalize(name: str) -> str:
    """Case-fold, strip accents and punctuation, collapse spaces, drop a leading "the".

    "The Gaza Strip" -> "gaza strip"; "Deir ez-Zor" -> "deir ez zor"; "São Paulo" -> "sao paulo".
    Remembered: an article asks for the same few hundred names again and again (a quarter of the
    time geoparsing took before).
    """
    words = _NON_WORD.sub(" ", without_accents(name).casefold().translate(_DELETED)).replace("_", " ")
    words = " ".join(words.split())
    dropped = _LEADING_ARTICLE.sub("", words)
    return dropped or words


def without_accents(name: str) -> str:
    """The name without the marks Unicode decomposes off its letters (accents, dots, macrons: "Ḩamāh" -> "Hamah")."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))


# An Arabic article written as a word of its own, before a name of five letters or more: GeoNames
# writes "Al Qāmishlī", "Ar Raqqah", news "Qamishli", "Raqqa".
_ARABIC_ARTICLE = re.compile(r"^(?:al|el|ar|as|ash|ad|adh|az|an|at|ath)\s(?=\w{5})")


def without_arabic_article(key: str) -> str:
    """A normalised name without its leading Arabic article ("al qamishli" -> "qamishli")."""
    return _ARABIC_ARTICLE.sub("", key)


AYN_MARKS = "`\u2018\u02bb\u02bc\u02be\u02bf"  # what GeoNames writes for ayn and hamza ("Dar‘ā")
_NO_AYN_MARKS = str.maketrans("", "", AYN_MARKS)


def without_ayn_marks(name: str) -> str:
    """A name without the marks GeoNames writes for ayn and hamza, which the news leaves out ("Ma‘arrat an
    Nu‘mān": Maarrat an Numan); `normalize` reads them as spaces."""
    return name.translate(_NO_AYN_MARKS)


# An Arabic article inside a name, spelled as it is said before some letters: GeoNames writes "Jisr ash
# Shughūr", "Dayr az Zawr", the news mostly "Jisr al-Shughur", "Deir al-Zour". Not "el", another form of the
# word itself ("Ras El Aïn" in Morocco is no "Ras al-Ain").
_INNER_ARTICLE = re.compile(r"(?<=\w )(?:ar|er|as|es|ash|esh|ad|ed|adh|az|ez|an|en|at|et|ath)(?= \w)")


def inner_articles_as_al(key: str) -> str:
    """A normalised name with each Arabic article inside it that is spelled as said written "al" ("jisr ash
    shughur" -> "jisr al shughur")."""
    return _INNER_ARTICLE.sub("al", key)


# The final "h" of an Arabic feminine ending (tā' marbūṭa), which GeoNames writes and the news mostly does
# not: "Ar Raqqah", "Al Fallūjah", "Ḩamāh" are Raqqa, Falluja, Hama. After three letters at least.
_TA_MARBUTA = re.compile(r"(?<=\w{3})ah$")


def without_final_h(key: str) -> str:
    """A normalised name without the final "h" of its Arabic feminine ending ("raqqah" -> "raqqa")."""
    return _TA_MARBUTA.sub("a", key)


# Letters that lose no mark to Unicode's decomposition, as an English text writes them ("Diyarbakır",
# "Łódź", "Tromsø", "Đà Nẵng", "Ħamrun": Diyarbakir, Lodz, Tromso, Da Nang, Hamrun).
_ENGLISH_LETTERS = {"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ħ": "h"}
_LETTERS = str.maketrans(_ENGLISH_LETTERS)
_LETTERS_ANY_CASE = str.maketrans({**_ENGLISH_LETTERS, **{letter.upper(): english.capitalize()
                                                          for letter, english in _ENGLISH_LETTERS.items()
                                                          if len(letter.upper()) == 1 and letter.upper() != letter}})


def folded(key: str) -> str:
    """A normalised name with the letters Unicode does not decompose written as English does."""
    return key.translate(_LETTERS)


def in_english_letters(name: str) -> str:
    """A name as written (its case kept) with those letters written as English does ("Budsław": Budslaw)."""
    return name.translate(_LETTERS_ANY_CASE)


def is_latin(name: str) -> bool:
    """True when the name has at least one ASCII letter once accents are gone (worth indexing)."""
    return any("a" <= ch <= "z" for ch in normalize(name))


# Words that names write abbreviated or in full: "St. Paul" is Saint Paul's own name, not another one.
_SPELLED_OUT = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
ABBREVIABLE = frozenset(_SPELLED_OUT.values())  # the words in full ("saint")


def spelled_out(key: str) -> str:
    """A normalised name with its abbreviated words in full ("st paul" -> "saint paul")."""
    return " ".join(_SPELLED_OUT.get(word, word) for word in key.split(" "))


# How the same Arabic name is romanised in many ways: "Ma‘arrat an Nu‘mān" is "Maarat al-Numan" and "Maaret
# al-Numan", "Ra’s al ‘Ayn" is "Ras al-Ain", "Dayr az Zawr" is "Deir ez-Zor". A spelling key keeps what the
# spellings agree on: the consonants, single, "q" as "k", with each run of vowels (and of "y" or "w" after a
# vowel: "ay", "aw", "ou") one mark; without articles and the feminine ending's "h" ("Qayyarah": Qayara).
SPELLING_MARK = "~"  # opens every spelling key: no normalised name does
_ARTICLES = frozenset({"al", "el", "ar", "er", "as", "es", "ash", "esh", "ad", "ed", "adh", "az", "ez", "an", "en",
                       "at", "et", "ath"})
_VOWEL_RUN = re.compile(r"(?:[aeiou][aeiouyw]*)+")
_DOUBLED = re.compile(r"([a-z])\1+")
_FINAL_H = re.compile(r"(?<=[aeiou])h$")
MIN_SPELLING_CONSONANTS = 3  # fewer ("Taiz": t-z) say too little to find a place by


def spelling_key(key: str) -> str | None:
    """The spelling key of a normalised name (`SPELLING_MARK` first); None for a name of too few consonants."""
    words = [_FINAL_H.sub("", word.replace("q", "k")) for word in key.split(" ") if word not in _ARTICLES]
    skeleton = " ".join(_VOWEL_RUN.sub("*", _DOUBLED.sub(r"\1", word)) for word in words)
    if not skeleton.replace(" ", "").replace("*", "").isalpha() \
            or sum(ch.isalpha() for ch in skeleton) < MIN_SPELLING_CONSONANTS:
        return None
    return SPELLING_MARK + skeleton
