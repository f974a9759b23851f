"""A town's name that the words around it say is one, whatever the NER read there: after a preposition of
place, before a word for its people or its kind, in a list, beside the country or state it lies in, or before
its distance and direction from another place (`TownWords.says`)."""

from __future__ import annotations

from spacy.tokens import Span

from .bearings import measured_after
from .gazetteer import Gazetteer, normalize
from .known_names import GENERIC_WORDS, KnownNames
from .records import COUNTRY_CODES, Place
from .resolve import lies_in
from .resolve.expand import DIRECTIONS, GENERIC_SUFFIXES, Query, find
from .rules import LanguageRules
from .spans import (HYPHEN_PARTICLES, KIND_WORDS, NAME_PARTICLES, after_locative, apposed_kind, before_town_word,
                    kind_word_after, listed_after_locative, listed_with_place, place_it_lies_in, place_owning,
                    words_after_comma)

MAX_LOCATIVE_WORDS = 2  # a town's name read by its words is one or two ("in Grants Pass", "in Wilkes-Barre")
PARTICLES = HYPHEN_PARTICLES | NAME_PARTICLES  # not counted: "Jisr al-Shughur", "Mocimboa da Praia" are two words


class TownWords:
    """Reads what the words around a name say of it, checking the towns and divisions the gazetteer has by it."""

    def __init__(self, gazetteer: Gazetteer, names: KnownNames, rules: LanguageRules):
        self.gazetteer = gazetteer
        self.names = names
        self.rules = rules

    def says(self, span: Span) -> bool:
        """Whether the words around a span say it is a town's name, whatever the NER read there (a person, a
        body, a product, nothing), when a town or division bears it as its main name or another ("in
        Matias Romero"), or without its designator ("into Rakhine State"):
        - after a preposition of place ("at Wana"), or in a list one opens ("near Chasiv Yar, Toretsk and
          Vuhledar"), or before a word for the town's people ("a Winona man") or a front line's stretch ("the
          Lyman and Siversk directions"), or before words that call it a town ("Wad Madani, the capital of");
        - joined by "and" to a place ("Khan Younis and Deir al-Balah"; a single word by its main name only);
        - before a preposition and the country it lies in ("Derna in eastern Libya"), or after the possessive
          of a division or country it lies in, where the NER read nothing ("Maui's Lahaina");
        - a division's name before a lower-case word for a division ("the Tigray region").
        The extractor makes it the gazetteer's candidate, so the resolver keeps it only as a famous place or one in
        the article's countries; a name before its distance and direction from a place is one, known or not
        (`bearings.py`)."""
        if (span.text.isupper() and len(span.text) <= 3) \
                or sum(not t.is_punct and t.lower_ not in PARTICLES for t in span) > MAX_LOCATIVE_WORDS:
            return False
        rules, word = self.rules, kind_word_after(span)
        if measured_after(span, rules):  # "Mahas, a town about 300 km north of Mogadishu"
            return True
        named = self.names.found_as_town_or_division(span.text)
        if not named and word is None:
            return False  # every reading below but the kind word's needs a town or division of this name
        if after_locative(span, rules) or before_town_word(span, rules) or apposed_kind(span, rules) \
                or listed_after_locative(span, rules, self.names.found_as_town_or_division):
            town = named
        elif word is not None and normalize(span.text) not in DIRECTIONS | GENERIC_WORDS:
            # not "the first Northern state": a compass word before it is no name
            town = bool(self.of_kind(Query.of(f"{span.text} {word.text}"), KIND_WORDS[word.lower_]))
        else:
            # joined to a place by "and": weaker, so a single word only as a town's or division's main name,
            # and not a word for a kind of place ("Botkins and Creek")
            joined = listed_with_place(span, rules, self.names.strong) \
                and normalize(span.text) not in GENERIC_SUFFIXES \
                and self.names.town_or_division(span.text, primary=len(span) == 1)
            town = joined or self._lies_in_named_place(span)
        return town

    def _lies_in_named_place(self, span: Span) -> bool:
        """Whether a town or division that bears a span's name lies in the country of the country, division or
        region a preposition after it names ("Derna in eastern Libya": Darnah is in Libya), or whose possessive
        stands before it ("Maui's Lahaina", `place_owning`). Not in a town's: what is named in a town is as
        often a body or a building ("Red Cross in Waterbury")."""
        container = place_it_lies_in(span, self.rules) or place_owning(span)
        if container is None:
            return self._in_state_after_comma(span)
        countries = {p.country for p, _ in find(self.gazetteer, Query.of(container.text)).options
                     if p.feature_class in ("A", "L")}  # by any of its names: "North Kivu", "Maui" (County)
        return any(p.country in countries for p in self.names.towns_or_divisions(span.text))

    def _in_state_after_comma(self, span: Span) -> bool:
        """Whether a town that bears a span's name lies in the state or country a comma after it names ("Sioux
        Falls, S.D.", which the NER reads as a person)."""
        after = words_after_comma(span)
        if after is None:
            return False
        containers = [p for p, _ in self.gazetteer.lookup(after.text) if p.feature_code in COUNTRY_CODES | {"ADM1"}]
        return any(lies_in(town, state) for town in self.names.towns_or_divisions(span.text)
                   if town.feature_class == "P" for state in containers)

    def of_kind(self, query: Query, kinds: str) -> list[Place]:
        """The places the expansions find for a name with its word for a kind, of that kind (`kinds`, feature
        classes); never a country ("U.S. county")."""
        return [p for p, _ in find(self.gazetteer, query).options
                if (p.feature_class or "") in kinds and (p.feature_code or "") not in COUNTRY_CODES]
