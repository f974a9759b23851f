"""What the gazetteer says about a name as the text writes it, for the extractor (`extract.py`): whether it is a
famous place's, a known place's, a town's or a division's, and the place a word of nationality points to."""

from __future__ import annotations

from .gazetteer import Gazetteer, normalize
from .gazetteer.importance import NOTABLE_TOWN_POPULATION, importance, is_strong
from .gazetteer.sources import abbreviation_forms
from .gazetteer.wordlists import read_words
from .records import COUNTRY_CODES, Place
from .resolve.expand import GENERIC_SUFFIXES, family
from .rules import LanguageRules

# Word lists (data/*.txt, each file's header says what it is for): NORP words that name a group,
# not a place (religions, parties, compass adjectives); ordinary words that some place is also
# named after ("Centre", "West"), never a place on their own unless spaCy labels them as one.
# Names that are a place in one article and a person or a club in another: `evidence.py`.
GROUP_WORDS = frozenset(read_words("group_words.txt"))
GENERIC_WORDS = frozenset(read_words("generic_words.txt")) | GROUP_WORDS
ABBREVIATIONS = abbreviation_forms()  # a division's everyday abbreviation, as the press writes it ("NSW", "UP")


class KnownNames:
    """The gazetteer's answers about names, in the article language's words (`rules`)."""

    def __init__(self, gazetteer: Gazetteer, rules: LanguageRules):
        self.gazetteer = gazetteer
        self.rules = rules
        self._demonyms: dict[str, str | None] = {}
        # words for a kind of place: "province", "region", "état" (the language's, with the kinds they allow)
        self._kind_words = frozenset(GENERIC_SUFFIXES) | {
            normalize(word) for word, kinds in {**rules.place_nouns, **rules.apposed}.items() if kinds}

    def kind_word(self, surface: str) -> bool:
        """Whether a name is a word for a kind of place and nothing more ("the Province", "l'État", "the
        Valley", "City" of a club): alone it names no place, even where the NER reads one."""
        return normalize(surface) in self._kind_words

    def demonym_place(self, surface: str) -> str | None:
        """Id of the place a demonym denotes, or None when the word is no demonym."""
        key = normalize(surface)
        if key not in self._demonyms:
            entry = self.rules.demonym(surface)
            place = None
            if entry is not None:
                geonameid, name = entry
                place = self.gazetteer.by_geonameid(geonameid) if geonameid else None
                if place is None:
                    named = [p for p, _ in self.gazetteer.lookup(name)]
                    place = max(named, key=importance, default=None)
            self._demonyms[key] = place.id if place else None
        return self._demonyms[key]

    def longer_name(self, word: str, place_id: str) -> Place | None:
        """The notable place a word before a demonym names with the demonym's place ("New" + "Londoners": New
        London, not London), if any: a famous place (`is_strong`), a curated one or a town of
        `NOTABLE_TOWN_POPULATION` or more, never the demonym's own ("The Londoners"), nor a village ("Young
        Americans" is no Young America, Minnesota); not after a demonym ("Iraqi Kurds": two)."""
        place = self.gazetteer.get(place_id)
        if place is None or not word[:1].isupper() or self.demonym_place(word):
            return None  # "Iraqi Kurds" are Iraq's and Kurdistan's
        name = f"{word} {place.name}"
        if normalize(name) == normalize(place.name):
            return None  # "The" + "London" is London
        named = [p for p, primary in self.gazetteer.lookup(name) if primary and p.id != place_id
                 and (is_strong(p) or p.source == "curated" or p.population >= NOTABLE_TOWN_POPULATION)]
        return max(named, key=importance, default=None)

    def strong(self, surface: str, *, areas_only: bool = False) -> bool:
        """A famous place's main name (a country, region, capital, big city, curated feature);
        `areas_only` leaves out big cities, whose names are often also firms or people."""
        key = normalize(surface)
        if len(key) < 2 or key in GENERIC_WORDS:
            return False
        for place, primary in self.gazetteer.lookup(key):
            is_country = (place.feature_code or "") in COUNTRY_CODES | {"CONT"}
            if not (primary or is_country):
                continue  # alternate names ("Region", "Drug") are too loose to find places with
            if surface.isupper() and len(surface) <= 3 and not is_country:
                continue  # "PA", "D": codes, except a country's ("US", "UK")
            if is_strong(place) and not (areas_only and place.feature_class == "P" and place.feature_code != "PPLC"):
                return True
        return False

    @staticmethod
    def abbreviation(surface: str) -> bool:
        """Whether a name is written as a division's everyday abbreviation ("NSW", "UP"), whatever the NER read
        there; the resolver keeps one that needs its country only in an article about that country."""
        return surface in ABBREVIATIONS

    def country_or_capital(self, surface: str) -> bool:
        """A country's or a capital's main name ("Kyiv", "Cyprus"): what a capitalised word opening a sentence
        may be without the NER's word for it ("Kyiv did not comment"), unlike a region's ("Pool operators")."""
        key = normalize(surface)
        return key not in GENERIC_WORDS and any(
            primary and (p.feature_code or "") in COUNTRY_CODES | {"PPLC"} for p, primary in self.gazetteer.lookup(key))

    def may_open_sentence(self, surface: str) -> bool:
        """Whether a capitalised word alone at a sentence's start may be read as a place, where the NER read
        nothing: a word of nationality, an acronym of four letters or more, or a country's or a capital's name
        ("Kyiv did not comment"); not "Selon" or "Pool operators", weak evidence of a place."""
        return (surface.isupper() and len(surface) > 3) or self.demonym_place(surface) is not None \
            or self.country_or_capital(surface)

    def notable(self, surface: str) -> bool:
        """The name of a place someone chose to keep: strong, curated, or geocoded before."""
        return self.strong(surface) or any(
            p.source == "curated" or p.source.startswith("geocoder") for p, _ in self.gazetteer.lookup(surface))

    def known(self, surface: str) -> bool:
        """Some place's main name, of three letters or more and no generic word ("Gainesville" of a body's
        name)."""
        key = normalize(surface)
        return len(key) >= 3 and key not in GENERIC_WORDS and any(primary for _, primary in self.gazetteer.lookup(key))

    def notable_town(self, surface: str) -> bool:
        """Whether a town of `NOTABLE_TOWN_POPULATION` or more, or a first-level division, bears the name as its main
        name ("Turbat", "Belgorod")."""
        key = normalize(surface)
        return key not in GENERIC_WORDS and any(
            primary and (p.feature_code == "ADM1" or p.feature_class == "P" and p.population >= NOTABLE_TOWN_POPULATION)
            for p, primary in self.gazetteer.lookup(key))

    def town_or_division(self, name: str, *, primary: bool = True) -> bool:
        """The gazetteer knows the name as a town or a division (by its main name, or also by an
        alias such as "N.D." when `primary` is False)."""
        key = normalize(name)
        return key not in GENERIC_WORDS and any((pri or not primary) and p.feature_class in ("P", "A")
                                                for p, pri in self.gazetteer.lookup(key))

    def found_as_town_or_division(self, name: str) -> bool:
        """Whether a town or a division bears a name (`towns_or_divisions`)."""
        return bool(self.towns_or_divisions(name))

    def towns_or_divisions(self, name: str) -> list[Place]:
        """The towns and divisions that bear a name, as their main name or another ("Matias Romero", "Amhara"
        for Amara), or without the word that says what it is ("Rakhine State": Rakhine, a state); else those whose
        name is romanised otherwise ("Maarat al-Numan", `Gazetteer.spelled_otherwise`)."""
        key = normalize(name)
        found = [p for name in dict.fromkeys((key, family(key))) if name not in GENERIC_WORDS
                 for p, _ in self.gazetteer.lookup(name) if p.feature_class in ("P", "A")]
        return found or [p for p, _ in self.gazetteer.spelled_otherwise(key) if p.feature_class in ("P", "A")]
