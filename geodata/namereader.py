"""How a span of a spaCy doc becomes a toponym candidate, for the readers of entities (`extract.py`) and of
the words outside them (`uncovered.py`): trimmed of a leading article and typed as a name or a demonym
(`make`), the famous places inside a longer name (`embedded`), a street's name whole (`unless_street`), a town
by the words around it (`town_by_its_words`)."""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

from .gazetteer import Gazetteer, normalize
from .known_names import KnownNames
from .nlp import TextView
from .records import GAZETTEER_LABEL, Candidate, Place
from .resolve.expand import DIRECTIONS
from .rules import LanguageRules
from .spans import NAME_PARTICLES, street_word, trim
from .townwords import TownWords

PLACE_LABELS = {"GPE", "LOC", "FAC"}
# Labels whose spans are people or bodies: a place only if the same name is a place elsewhere in the text.
AGENT_LABELS = {"PERSON", "ORG"}
# Labels that never hold a place name.
IGNORED_LABELS = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL", "LANGUAGE", "LAW"}
MAX_NGRAM = 4
# Titles before a saint's name: the name after one is the saint's, no place of its own ("St. Patrick's Day").
SAINT_TITLES = frozenset(("st", "saint", "ste", "sainte", "san", "santa", "santo", "sao"))
# A word right before a demonym, which may name a longer place with the demonym's ("New Londoners": New London).
_WORD_BEFORE = re.compile(r"(?<![\w.'’-])([A-Z][a-z]+) $")
MAX_WORD_BEFORE = 20


class NameReader:
    """Reads spans as candidates against the gazetteer's names (`KnownNames`) and a language's rules."""

    def __init__(self, gazetteer: Gazetteer, rules: LanguageRules):
        self.gazetteer = gazetteer
        self.rules = rules
        self.names = KnownNames(gazetteer, rules)
        self.towns = TownWords(gazetteer, self.names, rules)

    def make(self, view: TextView, start: int, end: int, label: str) -> Candidate | None:
        start, end = trim(view.text, start, end, self.rules.leading)
        if start >= end:
            return None
        surface = view.text[start:end]
        words = surface.rsplit(None, 1)
        if len(words) == 2 and words[1] in self.rules.cues.list_words:  # "Zuwara and" (Sabratha), as the NER cut it
            start, end = trim(view.text, start, start + len(words[0]), self.rules.leading)
            surface = view.text[start:end]
        if not normalize(surface):
            return None
        demonym = self.names.demonym_place(surface)
        if not any(ch.isupper() for ch in surface) and not (demonym and self.rules.lowercase_demonyms):
            return None  # no name in it: "new county", "meth", "n't" tagged GPE
        wider = self._people_of_longer_name(view, start, surface, demonym)
        if wider is not None and wider[1].feature_class == "P":
            return None  # "New Londoners" are no Londoners, and which New London's, the article tells
        if wider is not None:  # "Western Australians": the state's people, not Australia's
            start, demonym = wider[0], wider[1].id
            surface = view.text[start:end]
        kind = "demonym" if demonym else "toponym"
        return Candidate(start, end, surface, view.sentence_of(start), label, kind, demonym)

    def _people_of_longer_name(self, view: TextView, start: int, surface: str,
                               demonym: str | None) -> tuple[int, Place] | None:
        """Where a demonym's people are of a longer place's name, and that place (`KnownNames.longer_name`): a
        capitalised word before the span ("New" + "Londoners") or inside it ("Western Australians", as the NER
        reads it)."""
        if demonym is not None:
            before = _WORD_BEFORE.search(view.text, max(0, start - MAX_WORD_BEFORE), start)
            wider = self.names.longer_name(before.group(1), demonym) if before else None
            return (before.start(1), wider) if before and wider else None
        head, _, last = surface.rpartition(" ")
        people = self.names.demonym_place(last) if head else None
        wider = self.names.longer_name(head, people) if people else None
        return (start, wider) if wider else None

    def embedded(self, view: TextView, tokens: Span) -> list[Candidate]:
        """Famous places and demonyms inside a longer name ("New York Times", "Syrian Democratic Forces")."""
        out, i = [], 0
        words = list(tokens)  # each Token made once: the n-grams below read them again and again
        before = [tokens.doc[tokens.start - 1].text if tokens.start else "", *(t.text for t in words)]
        while i < len(words):
            if not words[i].text[:1].isupper() or normalize(before[i]) in SAINT_TITLES:
                i += 1  # not "Patrick" of "St. Patrick's Cathedral" (a parish of the Isle of Man)
                continue
            for n in range(min(MAX_NGRAM, len(words) - i), 0, -1):
                last = words[i + n - 1]
                if last.is_punct:
                    continue
                text = view.text[words[i].idx:last.idx + len(last.text)]
                if self.names.demonym_place(text) or self.names.strong(text):
                    piece = self._town_ending_with(tokens, i, i + n) or self._part_named(tokens, i, i + n)
                    cand = self.make(view, piece.start_char, piece.end_char, GAZETTEER_LABEL)
                    if cand:
                        out.append(cand)
                    i += n - 1
                    break
            i += 1
        return out

    def unless_street(self, view: TextView, tokens: Span, after: Token | None,
                       inside: list[Candidate]) -> list[Candidate]:
        """The places found inside a name (`inside`), unless the name is a street's ("Hungerford St.",
        `spans.street_word`; `after`: the token after it): then the street is the candidate, and the places in it
        are its namesakes. "44 Hungerford St." in a Hartford story is no town in England."""
        street = street_word(tokens, after) if inside else None
        if street is None:
            return inside
        whole = self.make(view, tokens.start_char, street.idx + len(street.text), GAZETTEER_LABEL)
        return [whole] if whole else []

    def _town_ending_with(self, tokens: Span, start: int, end: int) -> Span | None:
        """The town or division whose main name is a famous one with capitalised words before it, inside a
        longer name: "New London" of "New London Police Department", not London; None when there is none.
        Not over a word of direction alone: "North Arlington" is as often a part of Arlington as the town."""
        for first in range(max(0, end - MAX_NGRAM), start):
            name, added = tokens[first:end], tokens[first:start]
            if added[0].is_title and all(t.is_title and t.is_alpha or t.lower_ in NAME_PARTICLES for t in added) \
                    and normalize(added.text) not in DIRECTIONS \
                    and self.names.town_or_division(name.text):
                return name
        return None

    def _part_named(self, tokens: Span, start: int, end: int) -> Span:
        """A famous name with the capitalised compass words before it that make a name no place bears: the part
        of the place ("the Northern Rivers", whose place is Rivers State only where the article is about Nigeria:
        `features.choose`); else the name alone ("North Arlington" is a town, but as often a part of Arlington)."""
        first = start
        while first > 0 and tokens[first - 1].is_title and normalize(tokens[first - 1].text) in DIRECTIONS:
            first -= 1
        if first < start and not self.names.known(tokens[first:end].text):
            return tokens[first:end]
        return tokens[start:end]

    def town_by_its_words(self, view: TextView, span: Span) -> Candidate | None:
        """The gazetteer's candidate of a span the words around it say is a town's name (`TownWords.says`), or of
        the span without its first word when that word opens the sentence and no place bears it, as a word
        capitalised only there: a headline's "Missing Lancaster girl", "Injured Dayton teen" (not "Meadow Grove
        man": Meadow, Texas, says the word may begin a name the gazetteer lacks)."""
        if not self.towns.says(span):
            first = span[0]
            opener = len(span) > 1 and first.is_sent_start and first.is_alpha and not self.gazetteer.lookup(
                normalize(first.text))
            if not opener or not self.towns.says(span := span[1:]):
                return None
        return self.make(view, span.start_char, span.end_char, GAZETTEER_LABEL)
