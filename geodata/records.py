"""The records every stage passes along: documents in, places and mentions out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Coarse kinds shown to users, from GeoNames feature classes.
KIND_BY_CLASS = {
    "P": "populated place",
    "A": "region",
    "L": "region",
    "H": "physical feature",
    "T": "physical feature",
    "V": "physical feature",
    "U": "physical feature",
    "S": "site",
    "R": "site",
}
COUNTRY_CODES = {"PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR"}
KINDS = ("country", "region", "populated place", "physical feature", "site")
"""Every kind, in the order the dashboard and legend list them."""


def place_kind(feature_class: str | None, feature_code: str | None) -> str:
    """The one definition of a place's kind (`kind_sql` says the same in SQL)."""
    if feature_code in COUNTRY_CODES:
        return "country"
    return KIND_BY_CLASS.get(feature_class or "", "region")


def kind_sql(table: str) -> str:
    """`place_kind` as an SQL expression over `table`'s feature_class and feature_code columns."""
    codes = ",".join(f"'{c}'" for c in sorted(COUNTRY_CODES))
    by_kind: dict[str, list[str]] = {}
    for feature_class, kind in KIND_BY_CLASS.items():
        by_kind.setdefault(kind, []).append(f"'{feature_class}'")
    whens = "".join(f" WHEN {table}.feature_class IN ({','.join(classes)}) THEN '{kind}'"
                    for kind, classes in by_kind.items())
    return f"(CASE WHEN {table}.feature_code IN ({codes}) THEN 'country'{whens} ELSE 'region' END)"


@dataclass(frozen=True)
class Document:
    """One article. `spans`, when given, are gold toponym offsets to resolve instead of detecting."""

    id: str
    text: str
    title: str | None = None
    published: str | None = None
    source: str | None = None
    origin: str | None = None  # file (and line) the document came from
    spans: tuple[tuple[int, int], ...] | None = None
    url: str | None = None  # canonical URL of a web article (`geodata.sources`)
    language: str | None = None  # declared ISO 639-1 code; None: detected when parsed (`language.py`)


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    lat: float
    lon: float
    country: str | None = None
    feature_class: str | None = None
    feature_code: str | None = None
    admin1: str | None = None
    population: int = 0
    geonameid: int | None = None
    source: str = ""

    @property
    def feature(self) -> str | None:
        """GeoNames 'class.code', e.g. 'P.PPLC'."""
        if not self.feature_class:
            return None
        return f"{self.feature_class}.{self.feature_code}" if self.feature_code else self.feature_class

    @property
    def kind(self) -> str:
        return place_kind(self.feature_class, self.feature_code)

    def to_json(self) -> dict[str, Any]:
        """The `place` object of the parse output contract."""
        return {
            "id": self.id,
            "name": self.name,
            "lat": self.lat,
            "lon": self.lon,
            "country": self.country,
            "feature": self.feature,
            "geonameid": self.geonameid,
        }


GAZETTEER_LABEL = "GAZ"  # the label of a candidate found by the gazetteer, not by spaCy's NER
POSSESSIVES = ("'s", "\u2019s")  # the possessive ending of a name, as spaCy splits it off ("Maui's")
PLACE_READINGS = frozenset({"GPE", "LOC", "GOLD"})  # labels that read a name as a place's (GOLD: a span given as one)


CAPITAL, EARLIER = "capital", "earlier"  # what a word stands for in place of the other place's name (`Bearing.refers`)


@dataclass(frozen=True)
class Bearing:
    """Where the text puts a place from another, by distance and direction ("Mahas, a town about 300 km north of
    Mogadishu"), by distance alone ("Bunagana, 12 km from Goma") or near it ("Rathbeggan, near Dunshaughlin"):
    `bearings.bearing_after`."""

    km: float  # 0 when the text gives none
    degrees: float | None  # the direction from the other place, clockwise from north; None: none given
    direction: str  # as written ("north", "south-west", "nord-est"), or the word of nearness or distance ("near",
    # "outskirts", "from")
    anchor_start: int  # the other place's name in the text (character offsets), or the word that stands for it
    anchor_end: int
    # A word instead of a name: CAPITAL ("of the capital": the capital of the article's country), or EARLIER ("of
    # the town", "de là": the town the text named before the name); None for a name.
    refers: str | None = None
    side: bool = False  # a direction without a distance ("east of Aleppo"): somewhere on that side of the place

    @property
    def measured(self) -> bool:
        """A distance and a direction: then the name is a place, whoever else bears it ("Zamzam, 15km south-west of
        El Fasher"). Not a distance alone, which the news gives of people too ("Murray, 40 km from Glasgow"), nor
        nearness ("John Smith, near Boston")."""
        return self.degrees is not None


# The kind of place a dateline, a party tag, a list closed by "counties", "a Lebanon woman" name: a town or a division
TOWN_OR_DIVISION = "PA"


@dataclass(frozen=True)
class Candidate:
    """A toponym found in a document, before resolution."""

    start: int
    end: int
    text: str
    sentence: int
    label: str  # spaCy's label, or GAZETTEER_LABEL
    kind: str = "toponym"  # or "demonym"
    place_hint: str | None = None  # the place a demonym denotes (a gazetteer id)
    # The text says it is a place: a span given as one, or a name after a preposition of place ("in
    # Earlsheaton", "Jane Doe, 52, of Gun"). A name of one word no gazetteer place bears is placed at
    # its article's town only then: most such words are a person's, a firm's, a thing's ("Pawlenty").
    said_place: bool = False
    classes: str | None = None  # the GeoNames feature classes the words around it allow ("the town of X": P)
    # A word for a few of its people follows ("a Lebanon woman", `spans.townsfolk_after`): a town's or a division's
    # name (`TOWN_OR_DIVISION`), no country's, though no more than that.
    townsfolk: bool = False
    within: str | None = None  # the country or division the text says it lies in a part of ("Somalia" of "in central
    # Somalia", "Artibonite region" of "in the Artibonite region")
    bearing: Bearing | None = None  # its distance and direction from another place, or its nearness to one


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    sentence: int
    label: str
    kind: str
    confidence: float
    place: Place | None
    # why it is unresolved, or placed by what lies around it (its article's town), or doubted (a river's point)
    reason: str | None = None
    # why it got its place or none (`Resolver(explain=True)`, `parse --explain`): plain JSON-able data
    explanation: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    def to_json(self, explain: bool = False) -> dict[str, Any]:
        """The mention object of the parse output contract (`explain`: with "explain" when there is one)."""
        out = {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "sentence": self.sentence,
            "label": self.label,
            "kind": self.kind,
            "confidence": round(self.confidence, 4),
            "place": self.place.to_json() if self.place else None,
        }
        if self.reason:
            out["reason"] = self.reason
        if explain and self.explanation is not None:
            out["explain"] = self.explanation
        return out


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int


TITLE_SENTENCE = -1
"""The sentence index of a document's title, geoparsed as a sentence of its own; the offsets of its mentions
(and of its sentence, the whole title) are into the title, not the text."""


@dataclass(frozen=True)
class Dropped:
    """A name the extractor found and dropped as no place in its article (a person, a storm, a club),
    with the evidence in words (`evidence.Evidence.against`); listed by `parse --explain`."""

    start: int
    end: int
    text: str
    sentence: int
    label: str
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "sentence": self.sentence,
                "label": self.label, "reasons": list(self.reasons)}


@dataclass
class ParsedDocument:
    document: Document
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)  # in the text
    title_mentions: list[Mention] = field(default_factory=list)  # in the title (sentence TITLE_SENTENCE)
    language: str = "en"  # the language it was read in (declared or detected); not geoparsed if unsupported
    dropped: list[Dropped] = field(default_factory=list)  # in the text, dropped as no place (`parse --explain`)

    def to_json(self, explain: bool = False) -> dict[str, Any]:
        """The document object of the parse output contract (`explain`: with the explanations and "dropped")."""
        out = {"id": self.document.id, "language": self.language,
               "mentions": [m.to_json(explain) for m in self.mentions],
               "title_mentions": [m.to_json(explain) for m in self.title_mentions]}
        if explain:
            out["dropped"] = [d.to_json() for d in self.dropped]
        return out
