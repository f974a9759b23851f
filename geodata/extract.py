"""Toponym candidates from spaCy's docs (`nlp.py`): place entities, demonyms, and entities of other
labels that the gazetteer knows as places. What depends on the article's language (labels, articles
before names, words of nationality, cue words) comes from its `LanguageRules` (`rules_for`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from spacy.tokens import Doc, Span, Token

from .evidence import Evidence
from .french import FRENCH
from .gazetteer import Gazetteer, normalize
from .known_names import GENERIC_WORDS, KnownNames
from .nlp import TextView, word_flags
from .records import GAZETTEER_LABEL, POSSESSIVES, Candidate, Dropped, Sentence
from .resolve.expand import DIRECTIONS, DIVISION_WORDS, GENERIC_SUFFIXES, Query, find
from .rules import ENGLISH, LanguageRules
from .spans import (KIND_WORDS, Said, glued_hyphen, joins, kind_word_after, name_links, owned_part, particle_joins,
                    said_of, street_word, trim)
from .textforms import TextForms
from .townwords import TownWords

PLACE_LABELS = {"GPE", "LOC", "FAC"}
# Labels whose spans are people or bodies: a place only if the same name is a place elsewhere in the text.
AGENT_LABELS = {"PERSON", "ORG"}
# Labels that never hold a place name.
IGNORED_LABELS = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL", "LANGUAGE", "LAW"}
MAX_NGRAM = 4
# Titles before a saint's name: the name after one is the saint's, no place of its own ("St. Patrick's Day").
SAINT_TITLES = frozenset(("st", "saint", "ste", "sainte", "san", "santa", "santo", "sao"))
# Generic words that make no name with a name the NER cut short ("Dublin" + "City"); a compass word does
# ("Eastern" + "Samar", which the NER reads as a person).
NOT_NAME_WORDS = GENERIC_WORDS - DIRECTIONS
TOWN_OR_DIVISION = "PA"  # the kind of place a dateline, a party tag or a list closed by "counties" names
RULES = {rules.code: rules for rules in (ENGLISH, FRENCH)}  # the languages geoparsed (`language.SUPPORTED`)


def rules_for(language: str) -> LanguageRules:
    """The rules of a geoparsed language (ISO 639-1); KeyError for another."""
    return RULES[language]


def is_demonym(word: str) -> bool:
    """A word of nationality in any language geoparsed ("Syrian", "syrienne")."""
    return any(rules.demonym(word) is not None for rules in RULES.values())


class Extractor:
    """Finds toponym candidates in spaCy docs, checking names against the gazetteer."""

    def __init__(self, gazetteer: Gazetteer, rules: LanguageRules = ENGLISH):
        self.gazetteer = gazetteer
        self.rules = rules
        self.names = KnownNames(gazetteer, rules)
        self._capitalised: dict[int, bool] = {}  # a word form -> whether it is alphabetic and capitalised
        self._nationality: dict[int, bool] = {}  # a word form -> whether it is a lower-case word of nationality
        self.forms = TextForms(gazetteer, self.names.town_or_division)
        self.towns = TownWords(gazetteer, self.names, rules)

    def _make(self, view: TextView, start: int, end: int, label: str) -> Candidate | None:
        start, end = trim(view.text, start, end, self.rules.leading)
        if start >= end:
            return None
        surface = view.text[start:end]
        if not normalize(surface):
            return None
        demonym = self.names.demonym_place(surface)
        if not any(ch.isupper() for ch in surface) and not (demonym and self.rules.lowercase_demonyms):
            return None  # no name in it: "new county", "meth", "n't" tagged GPE
        kind = "demonym" if demonym else "toponym"
        return Candidate(start, end, surface, view.sentence_of(start), label, kind, demonym)

    def _embedded(self, view: TextView, tokens: Span) -> list[Candidate]:
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
                    piece = self._town_ending_with(tokens, i, i + n) or tokens[i:i + n]
                    cand = self._make(view, piece.start_char, piece.end_char, GAZETTEER_LABEL)
                    if cand:
                        out.append(cand)
                    i += n - 1
                    break
            i += 1
        return out

    def _unless_street(self, view: TextView, tokens: Span, after: Token | None,
                       inside: list[Candidate]) -> list[Candidate]:
        """The places found inside a name (`inside`), unless the name is a street's ("Hungerford St.",
        `spans.street_word`; `after`: the token after it): then the street is the candidate, and the places in it
        are its namesakes. "44 Hungerford St." in a Hartford story is no town in England."""
        street = street_word(tokens, after) if inside else None
        if street is None:
            return inside
        whole = self._make(view, tokens.start_char, street.idx + len(street.text), GAZETTEER_LABEL)
        return [whole] if whole else []

    def _town_ending_with(self, tokens: Span, start: int, end: int) -> Span | None:
        """The town or division whose main name is a famous one with capitalised words before it, inside a
        longer name: "New London" of "New London Police Department", not London; None when there is none.
        Not over a word of direction alone: "North Arlington" is as often a part of Arlington as the town."""
        for first in range(max(0, end - MAX_NGRAM), start):
            name, added = tokens[first:end], tokens[first:start]
            if all(t.is_title and t.is_alpha for t in added) and normalize(added.text) not in DIRECTIONS \
                    and self.names.town_or_division(name.text):
                return name
        return None

    def _leading_place(self, view: TextView, ent: Span) -> Candidate | None:
        """The place an organisation is named after ("Gainesville Police Department", "the Suffolk Times")."""
        lead = self.rules.leading.match(ent.text)
        article = lead.end() if lead else 0  # characters of a leading article ("the ")
        first = next((t.i - ent.start for t in ent if t.idx >= ent.start_char + article), len(ent))
        for n in range(min(MAX_NGRAM, len(ent) - first - 1), 0, -1):
            piece = ent[first:first + n]
            after = ent[first + n].text
            if piece[-1].is_punct or not piece.text[:1].isupper() or not (after[:1].isupper() or after in POSSESSIVES):
                continue  # "Bank of England" is not named after a town called Bank; "Derry's Hospital" is
            if self.names.known(piece.text) and normalize(piece.text) not in DIRECTIONS \
                    and not self.gazetteer.has_name(ent.text):
                return self._make(view, piece.start_char, piece.end_char, GAZETTEER_LABEL)
        return None

    def _county_inside(self, view: TextView, ent: Span) -> Candidate | None:
        """A county or parish named inside a body's or a person's name, whatever the label ("Anderson County
        Sheriff Greg Taylor" as a person, "Rapides Parish Fire District"): no person's name holds one."""
        for j in range(1, len(ent)):
            if ent[j].lower_ not in DIVISION_WORDS or not ent[j].text[:1].isupper():
                continue
            for i in range(max(0, j - 3), j):
                name = ent[i:j + 1]
                if all(t.text[:1].isupper() for t in name) and self.names.town_or_division(name.text):
                    return self._make(view, name.start_char, name.end_char, GAZETTEER_LABEL)
        return None

    def _whole(self, view: TextView, ent: Span, places: set[str]) -> Candidate | None:
        """The entity itself as a candidate, when its label and the gazetteer agree it is a place."""
        label = self.rules.label(ent)
        cand = self._make(view, ent.start_char, ent.end_char, label)
        if cand is None or self.names.kind_word(cand.text):
            return None
        key = normalize(cand.text)
        short_caps = cand.text.isupper() and len(cand.text) <= 3
        if cand.kind == "demonym" and label != "PERSON":
            return cand
        if label in PLACE_LABELS:
            return cand
        if key in places:
            return cand
        if (town := self._town_by_its_words(view, ent)) is not None:
            return town
        if self.names.abbreviation(cand.text) and label != "PERSON":  # "across NSW", read as a body
            return cand
        if owned_part(ent):  # "Tripoli's Abu Salim district", read as a person's name
            return self._make(view, ent.start_char, ent.end_char, GAZETTEER_LABEL)
        if label == "PERSON":
            return None
        if label == "ORG":
            return cand if self.names.strong(cand.text, areas_only=True) else None
        if key in GENERIC_WORDS or not cand.text[:1].isupper() or short_caps:
            return None
        if label == "NORP":
            return cand if self.names.notable(cand.text) else None
        return cand if self.names.strong(cand.text) else None

    def _cut_short(self, view: TextView, ent: Span, links: set[int]) -> Candidate | None:
        """A name of a town or division that the NER cut or read as a body: hyphenated ("Gilgit" of
        "Gilgit-Baltistan", "Batesburg-Leesville" as ORG), or with capitalised words of its name around it
        ("U.S." of "the U.S. Virgin Islands", "Paul" of "St. Paul"). The longest such name the gazetteer
        bears, with the entity's label if it is a place's, else as the gazetteer's candidate; None when
        there is none."""
        doc, start, end = ent.doc, ent.start, ent.end
        while end + 1 < len(doc) and glued_hyphen(doc, end) and doc[end + 1].text[:1].isupper():
            end += 2
        while end in links:  # "Deir" + "ez-Zor"
            word = next(i for i in range(end, len(doc)) if i not in links)
            if doc[word].ent_type_:
                break
            end = word + 1
        while start >= 2 and glued_hyphen(doc, start - 1) and doc[start - 2].text[:1].isupper():
            start -= 2
        hyphenated = any(glued_hyphen(doc, i) for i in range(start + 1, end - 1))
        first, last = start, end
        if any(t.text[:1].isupper() and t.lower_ not in GENERIC_WORDS for t in doc[start:end]):
            # not "City of" + "Richmond": the name of a county of Virginia, not the town's
            limit = min(len(doc), first + MAX_NGRAM)
            while last < limit and (joins(doc, last - 1, last) or last + 2 <= limit and particle_joins(doc, last)):
                last += 1 if joins(doc, last - 1, last) else 2  # a word, or a particle and a word ("do Sul")
            while first > max(0, last - MAX_NGRAM) and joins(doc, first, first - 1) \
                    and not self.rules.leading.match(doc[first - 1].text_with_ws):  # not "The" of "The Webster"
                first -= 1
        if (first, last) == (start, end) and not hyphenated:
            return None  # most entities: nothing around them to read
        label = self.rules.label(ent)
        spans = sorted(((a, b) for a in range(first, start + 1) for b in range(end, last + 1)),
                       key=lambda ab: ab[0] - ab[1])  # the longest first
        for a, b in spans:
            added = [*doc[a:start], *doc[end:b]]
            if (not added and not hyphenated) or (added and all(t.lower_ in NOT_NAME_WORDS for t in added)):
                continue  # "Dublin" + "City" (Council) is Ireland's county, not an Ohio paper's town
            name = doc[a:b]
            if self.names.town_or_division(name.text, primary=bool(added)):  # aliases ("N.D.") only as cut
                return self._make(view, name.start_char, name.end_char,
                                  label if label in PLACE_LABELS else GAZETTEER_LABEL)
        return None

    def _town_by_its_words(self, view: TextView, span: Span) -> Candidate | None:
        """The gazetteer's candidate of a span the words around it say is a town's name (`TownWords.says`)."""
        return self._make(view, span.start_char, span.end_char, GAZETTEER_LABEL) if self.towns.says(span) else None

    def _famous_inside(self, view: TextView, ent: Span, cand: Candidate | None) -> list[Candidate]:
        """The famous places and demonyms inside a place's or building's name that no gazetteer place bears
        by any expansion, instead of the whole: "Greece Italy" (a comma missing), "Nazi Germany", "the
        Vancouver International Airport"; [] otherwise. (A name with none inside, "Titus County Jail", stays
        whole: the resolver may place it at the place its first words name.)"""
        if cand is None or cand.label not in PLACE_LABELS or cand.kind != "toponym" or len(ent) < 2 \
                or street_word(ent, None) is not None:
            return []  # "Frenchmen Street" is not in France
        if find(self.gazetteer, Query.of_candidate(cand, view.text)).options:
            return []
        return self._embedded(view, ent)

    def _lone_person_places(self, ents: list[Span]) -> set[str]:
        """Famous places' names the NER reads as a person's, but only ever alone ("Alexandria woman
        charged", "of 420 Augusta St., Alexandria"): never as a word of a person's longer name
        ("Michael Jordan", "Paris Hilton"), the evidence `evidence.py` weighs for a person. A name of
        several words read as a person's is a place when all of it is a country's, a region's or a
        capital's ("with Niger and Burkina Faso"): no one is called so."""
        label = self.rules.label
        persons = [e for e in ents if label(e) == "PERSON"]
        in_names = {normalize(t.text) for e in persons if len(e) > 1 for t in e}
        lone = {e.text for e in persons if len(e) == 1}
        whole = {normalize(e.text) for e in persons if len(e) > 1 and self.names.strong(e.text, areas_only=True)}
        return whole | {normalize(name) for name in lone if normalize(name) not in in_names and self.names.strong(name)}

    def candidates(self, doc: Doc, sents: list[Sentence], text: str | None = None) -> list[Candidate]:
        """Toponym candidates of one doc, in text order."""
        return self.read(doc, sents, text)[0]

    def read(self, doc: Doc, sents: list[Sentence], text: str | None = None) -> tuple[list[Candidate], list[Dropped]]:
        """Toponym candidates of one doc, and the names dropped as no place (`not_place`), in text order.
        `text`: the doc's text, when the caller has read it (`TextView.of`)."""
        view = TextView.of(doc, sents, text)
        every = doc.ents  # spaCy makes the spans anew on every read
        links = name_links(doc, view.text)
        found = self._from_entities(view, every, links)
        said = self._said_by_form(view, found)
        covered = {i for e in every if not self._misread(e) for i in range(e.start, e.end)}
        for cand in self._outside(doc, view, covered, links, {normalize(c.text) for c in found.values()}):
            found.setdefault(cand.start, cand)
        if self.rules.lowercase_demonyms:
            for cand in self._adjectives(doc, view, covered):
                found.setdefault(cand.start, cand)
        evidence = Evidence(every, self.gazetteer.has_name, self.rules.cues, self.rules.label)
        return self._sorted(doc, view, found, evidence, {cand.start for cand in said})

    def _misread(self, ent: Span) -> bool:
        """Whether an entity of a label that holds no place is a town's name the NER misread: one capitalised word
        that a notable town bears and no month or day ("in Turbat" read as a date, "Belgorod" as a language). Its
        words are read as those outside the entities are (`_outside`)."""
        return self.rules.label(ent) in IGNORED_LABELS and len(ent) == 1 and ent[0].is_alpha and ent[0].is_title \
            and normalize(ent.text) not in self.rules.calendar and self.names.notable_town(ent.text)

    def _readings(self, ents: list[Span]) -> tuple[set[str], set[str]]:
        """The names the NER reads as no place anywhere in the text, and those it reads as a place somewhere.
        It reads one name differently from line to line: a name it reads as a person or a body more often than
        as a place, and that no gazetteer place bears, is no place. (Names of places are left alone: a town's
        name often stands for its council or its people.)"""
        label = self.rules.label
        as_place, as_agent = Counter[str](), Counter[str]()
        for ent in ents:
            key = normalize(ent.text)
            if label(ent) in PLACE_LABELS:
                as_place[key] += 1
            elif label(ent) in AGENT_LABELS:
                as_agent[key] += 1
        agents = {key for key, n in as_agent.items() if n > as_place[key] and not self.gazetteer.has_name(key)}
        return agents, set(as_place) - agents | self._lone_person_places(ents)

    def _from_entities(self, view: TextView, every: tuple[Span, ...], links: set[int]) -> dict[int, Candidate]:
        """The candidates the NER's entities give, by their start: the entity itself, the name it was cut from,
        or the places inside it."""
        label = self.rules.label
        ents = [e for e in every if label(e) not in IGNORED_LABELS]
        agents, places = self._readings(ents)
        found: dict[int, Candidate] = {}
        # person/org labels last, so they can lose to the same name read as a place elsewhere
        for ent in sorted(ents, key=lambda e: label(e) in AGENT_LABELS):
            cand = self._cut_short(view, ent, links) or self._whole(view, ent, places)
            if cand is not None and cand.label in PLACE_LABELS and cand.kind == "toponym" \
                    and normalize(cand.text) in agents:
                continue  # "United Russia" tagged GPE once, ORG three times
            inner = self._famous_inside(view, ent, cand)
            if inner:
                for piece in inner:
                    found.setdefault(piece.start, piece)
            elif cand is not None:
                found[cand.start] = cand
                places.add(normalize(cand.text))
            elif (county := self._county_inside(view, ent)) is not None:
                found.setdefault(county.start, county)
            elif label(ent) != "PERSON":
                famous = self._embedded(view, ent)  # before a lesser town it leads with ("Metro Vancouver")
                lead = self._leading_place(view, ent) if not famous and label(ent) == "ORG" and len(ent) > 1 else None
                doc = ent.doc
                after = doc[ent.end] if ent.end < len(doc) else None
                for inner in self._unless_street(view, ent, after, [lead] if lead else famous):
                    found.setdefault(inner.start, inner)
        return found

    def _said_by_form(self, view: TextView, found: dict[int, Candidate]) -> list[Candidate]:
        """The names the text's form says are places (a dateline, a party tag, a list closed by "counties"),
        put into `found` whole, over the NER's pieces of them ("ST" and "PAUL" of "ST. PAUL -")."""
        said = [replace(c, classes=TOWN_OR_DIVISION) for c in
                (self._make(view, *span, GAZETTEER_LABEL) for span in self.forms.spans(view.text)) if c]
        for cand in said:
            same = found.get(cand.start)
            if same is not None and same.end == cand.end and same.label in PLACE_LABELS:  # the NER's too
                found[cand.start] = replace(same, classes=cand.classes)
                continue
            for start in [k for k, c in found.items() if cand.start <= k < cand.end and c.end <= cand.end]:
                del found[start]
            found.setdefault(cand.start, cand)
        return said

    def _sorted(self, doc: Doc, view: TextView, found: dict[int, Candidate], evidence: Evidence,
                placed: set[int]) -> tuple[list[Candidate], list[Dropped]]:
        """The candidates kept and dropped, in text order, each with what the words around it say (`said_of`).
        `placed`: the starts of the names the text's form says are places, which no evidence drops."""
        kept, dropped = [], []
        for start in sorted(found):
            cand, span = self._with_kind_word(view, found[start],
                                              doc.char_span(start, found[start].end, alignment_mode="expand"))
            words = said_of(span, self.rules) if span is not None else Said()  # "Zamzam, 15km south-west of"
            reasons = [] if cand.start in placed or words.measured else self.not_place(span, evidence, cand)
            if reasons:
                dropped.append(Dropped(cand.start, cand.end, cand.text, cand.sentence, cand.label, tuple(reasons)))
            else:
                kept.append(words.onto(cand))
        return kept, dropped

    def _with_kind_word(self, view: TextView, cand: Candidate, span: Span | None) -> tuple[Candidate, Span | None]:
        """A name (`span`: its tokens) that a lower-case word for its kind after it says is a division, a river,
        an island... ("toward Pokrovsk in Donetsk region", "Idlib province", "on Leyte island"), with that word,
        when the gazetteer has such a place by both: that place, not the town the name alone finds (Donetsk of
        Rostov Oblast); with its tokens."""
        word = kind_word_after(span) if span is not None and cand.kind == "toponym" else None
        if word is None or span[-1].lower_ in GENERIC_SUFFIXES:
            return cand, span  # not "Anderson County" + "district" (clerk)
        end = word.idx + len(word.text)
        longer = replace(cand, end=end, text=view.text[cand.start:end])
        if self.towns.of_kind(Query.of_candidate(longer, view.text), KIND_WORDS[word.lower_]):
            return longer, span.doc[span.start:word.i + 1]
        return cand, span

    def not_place(self, span: Span | None, evidence: Evidence, cand: Candidate) -> list[str]:
        """Why a candidate (`span`: its tokens) is no place in this article (a person, a storm, a club:
        `evidence.py`), or []."""
        if cand.kind != "toponym" or span is None:
            return []
        return evidence.against(span, bears=self.gazetteer.has_name(cand.text), famous=self.names.strong(cand.text))

    def _outside(self, doc: Doc, view: TextView, covered: set[int], links: set[int],
                 named: set[str]) -> list[Candidate]:
        """Demonyms and famous places the NER missed, in capitalised runs outside its entities; `named`: the
        normalised names of the candidates found so far."""
        out, start, n = [], None, len(doc)
        capitalised = word_flags(doc, lambda word: word[:1].isupper() and word.isalpha(), self._capitalised)
        for i in range(n + 1):
            if i < n and i not in covered and (capitalised[i] or start is not None and i in links):
                start = i if start is None else start
                continue
            if start is not None:
                out += self._in_run(view, doc[start:i], named)
            start = None
        return out

    def _in_run(self, view: TextView, span: Span, named: set[str]) -> list[Candidate]:
        """The candidates in one capitalised run outside the NER's entities. A sentence's opening word alone says
        little ("Selon", "Meanwhile", "Hail the size of golf balls"): it is one only as a name that may open a
        sentence (`may_open_sentence`), a place's name the article gives elsewhere (`named`), or a town's that the
        words after it say is one (`TownWords.says`: "Aleppo was shelled", "Sake, 25 kilometres west of Goma")."""
        if len(span) == 1 and span[0].is_sent_start and not self._may_open(span.text, named):
            town = self._town_by_its_words(view, span) if self.names.town_or_division(span.text) else None
            return [town] if town else []  # "Kherson residents", "Aleppo was shelled", "Sake, 25 km west of Goma"
        doc = span.doc
        town = self._town_by_its_words(view, span) or self._abbreviation(view, span)
        after = doc[span.end] if span.end < len(doc) else None
        found = [town] if town else self._unless_street(view, span, after, self._embedded(view, span))
        return [cand for cand in found if self._may_stand_alone(doc, cand, named)]

    def _abbreviation(self, view: TextView, span: Span) -> Candidate | None:
        """The gazetteer's candidate of a run that is a division's everyday abbreviation, past an article ("the
        ACT", `KnownNames.abbreviation`); None for another run."""
        cand = self._make(view, span.start_char, span.end_char, GAZETTEER_LABEL)
        return cand if cand is not None and self.names.abbreviation(cand.text) else None

    def _may_stand_alone(self, doc: Doc, cand: Candidate, named: set[str]) -> bool:
        """Whether a candidate found in a run may be a place: not its opening word alone, unless that may open a
        sentence (`_may_open`)."""
        first = doc.char_span(cand.start, cand.end, alignment_mode="expand")
        return first is None or len(first) != 1 or not first[0].is_sent_start or self._may_open(first.text, named)

    def _may_open(self, word: str, named: set[str]) -> bool:
        """Whether a capitalised word opening a sentence, which the NER read as nothing, may be a place's name: one
        that may open a sentence (`may_open_sentence`), or a name of the article's places found so far (`named`)."""
        return self.names.may_open_sentence(word) or normalize(word) in named

    def _adjectives(self, doc: Doc, view: TextView, covered: set[int]) -> list[Candidate]:
        """Lower-case words of nationality outside the NER's entities ("la frontière irakienne"): in
        languages that write them so (`LanguageRules.lowercase_demonyms`)."""
        nationality = word_flags(doc, lambda word: word.islower() and word.isalpha()
                                 and self.rules.demonym(word) is not None, self._nationality)
        words = [doc[i] for i, flag in enumerate(nationality) if flag and i not in covered]
        cands = [self._make(view, t.idx, t.idx + len(t.text), GAZETTEER_LABEL) for t in words
                 if self.names.demonym_place(t.text)]
        return [cand for cand in cands if cand is not None]

    def gold(self, doc: Doc, sents: list[Sentence], spans: Iterable[tuple[int, int]]) -> list[Candidate]:
        """Candidates from given spans (resolution alone), typed as demonyms where they are."""
        view = TextView.of(doc, sents)
        out = []
        for start, end in spans:
            surface = view.text[start:end]
            demonym = self.names.demonym_place(surface)
            out.append(Candidate(start, end, surface, view.sentence_of(start), "GOLD",
                                 "demonym" if demonym else "toponym", demonym, said_place=True))
        return out


