"""Toponym candidates from spaCy's docs (`nlp.py`): place entities, demonyms, and entities of other
labels that the gazetteer knows as places. What depends on the article's language (labels, articles
before names, words of nationality, cue words) comes from its `LanguageRules` (`rules_for`). A span becomes a
candidate in `namereader.py`; the words outside the NER's entities are read in `uncovered.py`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from spacy.tokens import Doc, Span

from .evidence import Evidence
from .french import FRENCH
from .gazetteer import Gazetteer, normalize
from .gazetteer.wordlists import read_words
from .known_names import GENERIC_WORDS
from .namereader import AGENT_LABELS, IGNORED_LABELS, MAX_NGRAM, PLACE_LABELS, NameReader
from .nlp import TextView
from .records import GAZETTEER_LABEL, POSSESSIVES, TOWN_OR_DIVISION, Candidate, Dropped, Sentence
from .resolve.expand import DIRECTIONS, DIVISION_WORDS, GENERIC_SUFFIXES, STREET_WORDS, Query, find
from .rules import ENGLISH, LanguageRules
from .spans import (KIND_WORDS, Said, glued_hyphen, joins, kind_word_after, name_links, owned_part, particle_joins,
                    said_of, street_word)
from .textforms import TextForms
from .uncovered import Uncovered

# Generic words that make no name with a name the NER cut short ("Dublin" + "City"); a compass word does
# ("Eastern" + "Samar", which the NER reads as a person).
NOT_NAME_WORDS = GENERIC_WORDS - DIRECTIONS
# Words for kinds of bodies named after their town, and streets' ("Hungerford St."): what may follow a town's name
# in an organisation's of two words (`Extractor._names_a_body`)
BODY_WORDS = frozenset(read_words("body_words.txt")) | STREET_WORDS
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
        self.reader = NameReader(gazetteer, rules)
        self.names, self.towns = self.reader.names, self.reader.towns
        self.uncovered = Uncovered(self.reader)
        self.forms = TextForms(gazetteer, self.names.town_or_division)

    def _leading_place(self, view: TextView, ent: Span) -> Candidate | None:
        """The place an organisation is named after ("Gainesville Police Department", "the Suffolk Times"), when the
        words after it make a body's name (`_names_a_body`), as a person's name ("Paris Hilton") does not."""
        lead = self.rules.leading.match(ent.text)
        article = lead.end() if lead else 0  # characters of a leading article ("the ")
        first = next((t.i - ent.start for t in ent if t.idx >= ent.start_char + article), len(ent))
        for n in range(min(MAX_NGRAM, len(ent) - first - 1), 0, -1):
            piece = ent[first:first + n]
            after = ent[first + n].text
            if piece[-1].is_punct or not piece.text[:1].isupper() or not (after[:1].isupper() or after in POSSESSIVES):
                continue  # "Bank of England" is not named after a town called Bank; "Derry's Hospital" is
            if self.names.known(piece.text) and normalize(piece.text) not in DIRECTIONS \
                    and not self.gazetteer.has_name(ent.text) and self._names_a_body(ent[first + n:], bool(article)):
                return self.reader.make(view, piece.start_char, piece.end_char, GAZETTEER_LABEL)
        return None

    @staticmethod
    def _names_a_body(rest: Span, article: bool) -> bool:
        """Whether the words after a place's name in an organisation's make a body's name: a longer name
        ("Monongahela National Forest"), one word for a body's kind or a street's (`BODY_WORDS`: "Gainesville
        Police", "Platte Co.", "Hungerford St.", which `unless_street` reads as the street), or one after the place's
        possessive ("Gainesville's Business"), or a shop's name in the possessive after an article, which no person's
        name takes ("the DeKalb Lowe's"); not a surname ("Amelia Crolley", "Sachin Pilot", read as bodies)."""
        if len(rest) and (rest[0].text in POSSESSIVES or article and rest[-1].text in POSSESSIVES):
            return True
        words = [t for t in rest if not t.is_punct and t.text not in POSSESSIVES]
        return len(words) > 1 or any(t.lower_.rstrip(".") in BODY_WORDS for t in words)

    def _county_inside(self, view: TextView, ent: Span) -> Candidate | None:
        """A county or parish named inside a body's or a person's name, whatever the label ("Anderson County
        Sheriff Greg Taylor" as a person, "Rapides Parish Fire District"): no person's name holds one."""
        for j in range(1, len(ent)):
            if ent[j].lower_ not in DIVISION_WORDS or not ent[j].text[:1].isupper():
                continue
            for i in range(max(0, j - 3), j):
                name = ent[i:j + 1]
                if all(t.text[:1].isupper() for t in name) and self.names.town_or_division(name.text):
                    return self.reader.make(view, name.start_char, name.end_char, GAZETTEER_LABEL)
        return None

    def _whole(self, view: TextView, ent: Span, places: set[str]) -> Candidate | None:
        """The entity itself as a candidate, when its label and the gazetteer agree it is a place."""
        label = self.rules.label(ent)
        cand = self.reader.make(view, ent.start_char, ent.end_char, label)
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
        if (town := self.reader.town_by_its_words(view, ent)) is not None:
            return town
        if self.names.abbreviation(cand.text) and label != "PERSON":  # "across NSW", read as a body
            return cand
        if owned_part(ent):  # "Tripoli's Abu Salim district", read as a person's name
            return self.reader.make(view, ent.start_char, ent.end_char, GAZETTEER_LABEL)
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
                return self.reader.make(view, name.start_char, name.end_char,
                                        label if label in PLACE_LABELS else GAZETTEER_LABEL)
        return None

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
        return self.reader.embedded(view, ent)

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
        covered = {i for e in every for i in self.uncovered.covers(e)}
        covered |= {t.i for c in said for t in doc.char_span(c.start, c.end, alignment_mode="expand") or ()}
        for cand in self.uncovered.runs(doc, view, covered, links, {normalize(c.text) for c in found.values()}):
            found.setdefault(cand.start, cand)
        if self.rules.lowercase_demonyms:
            for cand in self.uncovered.adjectives(doc, view, covered):
                found.setdefault(cand.start, cand)
        evidence = Evidence(every, self.gazetteer.has_name, self.rules.cues, self.rules.label)
        return self._sorted(doc, view, found, evidence, {cand.start for cand in said})

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
                famous = self.reader.embedded(view, ent)  # before a lesser town it leads with ("Metro Vancouver")
                lead = self._leading_place(view, ent) if not famous and label(ent) == "ORG" and len(ent) > 1 else None
                doc = ent.doc
                after = doc[ent.end] if ent.end < len(doc) else None
                for inner in self.reader.unless_street(view, ent, after, [lead] if lead else famous):
                    found.setdefault(inner.start, inner)
        return found

    def _said_by_form(self, view: TextView, found: dict[int, Candidate]) -> list[Candidate]:
        """The names the text's form says are places (a dateline, a party tag, a list closed by "counties"),
        put into `found` whole, over the NER's pieces of them ("ST" and "PAUL" of "ST. PAUL -")."""
        said = [replace(c, classes=TOWN_OR_DIVISION) for c in
                (self.reader.make(view, *span, GAZETTEER_LABEL) for span in self.forms.spans(view.text)) if c]
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
        Rostov Oblast); with its tokens. So is a word of nationality before a division's word that names a
        division after a people ("Ethiopia's Somali region", not Somalia). A name with its own word for its kind
        takes a second one unless both are a division's ("the Red Sea coast": the sea, "Red Sea state": Sudan's
        state; not "Anderson County" + "district", of its clerk)."""
        word = kind_word_after(span) if span is not None else None
        if word is None or ("A" in GENERIC_SUFFIXES.get(span[-1].lower_, "") and "A" in KIND_WORDS[word.lower_]):
            return cand, span
        if cand.kind == "demonym" and "A" not in KIND_WORDS[word.lower_]:
            return cand, span
        end = word.idx + len(word.text)
        longer = replace(cand, end=end, text=view.text[cand.start:end], kind="toponym", place_hint=None)
        if self.towns.of_kind(Query.of_candidate(longer, view.text), KIND_WORDS[word.lower_]):
            return longer, span.doc[span.start:word.i + 1]
        return cand, span

    def not_place(self, span: Span | None, evidence: Evidence, cand: Candidate) -> list[str]:
        """Why a candidate (`span`: its tokens) is no place in this article (a person, a storm, a club:
        `evidence.py`), or []."""
        if cand.kind != "toponym" or span is None:
            return []
        return evidence.against(span, bears=self.gazetteer.has_name(cand.text), famous=self.names.strong(cand.text))

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


