"""Sentences and toponym candidates from spaCy: place entities, demonyms, and entities of other
labels that the gazetteer knows as places."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from .gazetteer import Gazetteer, normalize
from .gazetteer.sources import read_csv
from .records import Candidate, Document, Sentence

PLACE_LABELS = {"GPE", "LOC", "FAC"}
# Labels whose spans are people or bodies: a place only if the same name is a place elsewhere in the text.
AGENT_LABELS = {"PERSON", "ORG"}
# Labels that never hold a place name.
IGNORED_LABELS = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL", "LANGUAGE", "LAW"}
# NORP words that name a group, not a place (religions, parties, compass adjectives).
GROUP_WORDS = {
    "western", "eastern", "northern", "southern", "arab", "arabs", "muslim", "muslims", "christian", "christians",
    "jewish", "jews", "jew", "catholic", "catholics", "protestant", "sunni", "sunnis", "shiite", "shiites", "shia",
    "islamic", "islamist", "islamists", "republican", "republicans", "democrat", "democrats", "democratic",
    "communist", "communists", "conservative", "conservatives", "liberal", "liberals", "socialist", "socialists",
    "hindu", "hindus", "buddhist", "buddhists", "evangelical", "evangelicals", "orthodox", "latino", "latinos",
    "hispanic", "hispanics", "black", "white", "asian american", "african american", "native american",
}
_LEADING = re.compile(r"^(?:the|The|THE)\s+")
_TRAILING = re.compile(r"(?:['\u2019]s?|[\s.,;:!?\"'\u2019\u201d)\]-])+$")

SENTER_PIPES = ("senter",)
UNUSED_PIPES = ("parser", "tagger", "lemmatizer", "attribute_ruler")


@lru_cache(maxsize=2)
def load_nlp(model: str) -> Language:
    """The spaCy model with only what we use: tokens, NER and the fast sentence splitter."""
    try:
        nlp = spacy.load(model, exclude=list(UNUSED_PIPES))
    except OSError as exc:
        raise RuntimeError(f"spaCy model {model!r} is not installed (pip install -r requirements.txt)") from exc
    for pipe in SENTER_PIPES:
        if pipe in nlp.disabled:
            nlp.enable_pipe(pipe)
    return nlp


@lru_cache(maxsize=1)
def demonym_table() -> dict[str, int]:
    """Normalised demonym or adjective -> GeoNames id of its place ("syrian" -> Syria)."""
    return {normalize(row["word"]): int(row["geonameid"]) for row in read_csv("demonyms.csv")}


def demonym_of(word: str) -> int | None:
    """The place a demonym points to, trying plural forms ("Iraqis" -> Iraq)."""
    table = demonym_table()
    key = normalize(word)
    for form in (key, key[:-1] if key.endswith("s") else None, key[:-2] if key.endswith("es") else None):
        if form and form in table:
            return table[form]
    return None


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow a span to its name: no leading "the", no trailing possessive or punctuation."""
    surface = text[start:end]
    lead = _LEADING.match(surface)
    if lead and lead.end() < len(surface):
        start += lead.end()
    tail = _TRAILING.search(text[start:end])
    if tail and tail.start() > 0:
        end = start + tail.start()
    return start, end


def sentences(doc: Doc) -> list[Sentence]:
    return [Sentence(i, s.start_char, s.end_char) for i, s in enumerate(doc.sents)]


def _sentence_of(starts: list[int], char: int) -> int:
    """Index of the sentence holding `char` (sentence starts are sorted)."""
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= char:
            lo = mid
        else:
            hi = mid - 1
    return lo


class Extractor:
    """Finds toponym candidates in spaCy docs, checking names against the gazetteer."""

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer

    def candidate(self, doc: Doc, ent: Span, starts: list[int], places: set[str]) -> Candidate | None:
        label = ent.label_
        if label in IGNORED_LABELS:
            return None
        start, end = trim(doc.text, ent.start_char, ent.end_char)
        surface = doc.text[start:end]
        key = normalize(surface)
        if not key:
            return None
        sentence = _sentence_of(starts, start)
        demonym = demonym_of(surface) if label in ("NORP", "GPE", "LOC") else None
        if demonym is not None and label == "NORP":
            return Candidate(start, end, surface, sentence, label, "demonym", demonym)
        if label in PLACE_LABELS:
            return Candidate(start, end, surface, sentence, label)
        if label in AGENT_LABELS:
            return Candidate(start, end, surface, sentence, label) if key in places else None
        if key in GROUP_WORDS or not surface[:1].isupper() or not self.gazetteer.has_name(surface):
            return None
        return Candidate(start, end, surface, sentence, label)

    def candidates(self, doc: Doc, sents: list[Sentence]) -> list[Candidate]:
        """Toponym candidates of one doc, in text order."""
        starts = [s.start for s in sents] or [0]
        found: dict[int, Candidate] = {}
        places: set[str] = set()
        deferred: list[Span] = []
        for ent in doc.ents:
            if ent.label_ in AGENT_LABELS:
                deferred.append(ent)
                continue
            cand = self.candidate(doc, ent, starts, places)
            if cand is not None:
                found[cand.start] = cand
                places.add(normalize(cand.text))
        for ent in deferred:  # a person/org label loses to the same name read as a place elsewhere
            cand = self.candidate(doc, ent, starts, places)
            if cand is not None:
                found[cand.start] = cand
        return [found[k] for k in sorted(found)]

    def gold(self, doc: Doc, sents: list[Sentence], spans: Iterable[tuple[int, int]]) -> list[Candidate]:
        """Candidates from given spans (resolution alone), typed as demonyms where they are."""
        starts = [s.start for s in sents] or [0]
        out = []
        for start, end in spans:
            surface = doc.text[start:end]
            demonym = demonym_of(surface)
            kind = "demonym" if demonym is not None and not self.gazetteer.has_name(surface) else "toponym"
            out.append(Candidate(start, end, surface, _sentence_of(starts, start), "GOLD", kind,
                                 demonym if kind == "demonym" else None))
        return out


def iter_docs(nlp: Language, documents: Iterable[Document], batch_size: int) -> Iterator[tuple[Document, Doc]]:
    """Run spaCy over documents in batches (streaming), pairing each record with its doc."""
    for doc, document in nlp.pipe(((d.text, d) for d in documents), batch_size=batch_size, as_tuples=True):
        yield document, doc
