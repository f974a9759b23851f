"""Evidence that a name in an article is no place: a person, a storm, a news agency or a club that
shares a place's name ("Salah", "Hurricane Harvey", "Xinhua News Agency", "Man City").

Judged from the article itself, never from a list of the names:
- the NER's own readings of the name: as a person, alone or as the last word of a person's longer
  name ("Mohamed Salah" makes "Salah" a person), against its readings as a place (GPE, LOC, FAC);
- cue words (`data/nonplace_cues.txt`, classes of words): a role or title right before the name
  ("President", "striker", "daughter"), a kind of ship right before it ("the submarine Kursk"), a kind of
  storm right before it or shortly before the colon that opens the list it is in, an organisation's word
  after it ("News Agency");
- an age right after the name ("Beryl, 81,"), which only fits a person; the first word of a person's
  full name that the article also calls by its last word ("Victoria Vivians", then "Vivians").
A club's short name ("Man City") needs the article's countries, so the resolver judges it
(`club_name`, `resolve.features.none_score`).

Cue words are a language's own (`Cues`: English `data/nonplace_cues.txt`, French
`data/nonplace_cues_fr.txt`, chosen by `rules.LanguageRules`); a club's short name ("Man City") is
read with the English club and sport words in any language, as clubs are named in English.

A cue on one mention holds for the name all over the article ("Hurricane Harvey", then "Harvey").
The evidence must outweigh the place: as many person readings and cues as place readings, more
for a famous place's name (a country, a capital); person readings count only once the article
names a person with the name as last word ("Michael Jordan", then "Jordan": a lone "Gainesville"
the NER calls a person is no evidence). For a word no place bears any evidence will do, even a
word of a person's name ("Yehia" of "Yehia Hammad"). A mention's own cue settles it unless a
famous place has the name (a title or storm word right before it settles even that: "Hurricane
Florence").
`Evidence.against` gives the reasons in words.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from .gazetteer import normalize
from .gazetteer.wordlists import read_table
from .records import POSSESSIVES

PLACE_READINGS = {"GPE", "LOC", "FAC"}
NAME_LABELS = {"PERSON", "NORP"}  # labels the NER gives a person's full name
CUE_WEIGHT = 2  # a cue word weighs as much as two readings of the name as a place
MAX_AGE = 120  # "Beryl, 81,": a number after the name up to this is an age
LIST_WORDS = {",", "and", "or", "&"}
STORM_COLON_WINDOW = 6  # a storm word at most this many tokens before the colon opening the list
LIST_REACH = 40  # tokens from a name back to the colon opening its list
SPORT_WINDOW = 150  # characters either side of a club's name searched for a sport word
PLURAL_CLASSES = {"storm", "sport"}  # classes whose words count in the plural too ("hurricanes")
_WORD = re.compile(r"[^\W\d_][\w'-]*")


def read_cues(name: str) -> dict[str, frozenset[str]]:
    """Cue class -> its normalised words (`data/<name>`, e.g. `nonplace_cues.txt`)."""
    table: dict[str, set[str]] = defaultdict(set)
    for word, cls in read_table(name, 2):
        table[cls].add(word)
    return {cls: frozenset(words) for cls, words in table.items()}


@dataclass(frozen=True)
class Cues:
    """The cue words of one language, by class, and the words that join the names of a list."""

    words: Mapping[str, frozenset[str]]
    list_words: frozenset[str]

    def has(self, text: str, cls: str) -> bool:
        """Whether `text` is a word of cue class `cls` (a title's plural is a name: "Queens")."""
        words = self.words.get(cls)
        if not words:
            return False
        key = normalize(text)
        return key in words or (cls in PLURAL_CLASSES and key.endswith("s") and key[:-1] in words)


CUES = read_cues("nonplace_cues.txt")  # English
ENGLISH_CUES = Cues(CUES, frozenset(LIST_WORDS))


def is_cue(text: str, cls: str) -> bool:
    """Whether `text` is an English word of cue class `cls`."""
    return ENGLISH_CUES.has(text, cls)


@dataclass(frozen=True)
class Cue:
    """What a cue word said about one mention; `decisive`: it settles even a famous place's name."""

    reason: str
    decisive: bool = False


@dataclass
class Reading:
    """One name's readings in an article."""

    person: int = 0  # read as a person alone
    surname: int = 0  # the last word of a name read as a person's ("Salah" of "Mohamed Salah")
    place: int = 0  # read as a place
    cues: list[str] = field(default_factory=list)  # what the cue words said, in words

    def weight(self) -> int:
        """The evidence for a person or a body: the NER's lone person readings count only once the
        article names a person with this last word (a town's name is often misread as a person's)."""
        person = self.person + self.surname if self.surname else 0
        return person + CUE_WEIGHT * len(self.cues)


def _title(token: Token, cues: Cues) -> Cue | None:
    """A role, storm or vessel word ("President", "Hurricane", "submarine"): it settles the name after it."""
    for cls in ("role", "storm", "vessel"):
        if cues.has(token.text, cls):
            return Cue(f"{cls} word {token.text!r} before it", decisive=True)
    return None


def _sentence_start(doc: Doc, token: int, reach: int) -> int:
    """The first token of `token`'s sentence, looking back at most `reach` tokens (a 200,000-character
    line is one sentence: `Span.sent` would scan all of it for every name)."""
    i = token
    while i > 0 and i > token - reach and not doc[i].is_sent_start:
        i -= 1
    return i


def _storm_list(doc: Doc, name: Span, cues: Cues) -> Cue | None:
    """A storm word shortly before the colon that opens the list the name is in ("hurricanes: Harvey, Irma");
    a list is followed back at most `LIST_REACH` tokens."""
    i = name.start - 1  # back over the list, in the name's sentence (most names are in none: few steps)
    while i >= 0 and name.start - i <= LIST_REACH and not doc[i + 1].is_sent_start \
            and (doc[i].text in cues.list_words or doc[i].text[:1].isupper()):
        i -= 1
    if i < 0 or name.start - i > LIST_REACH or doc[i + 1].is_sent_start or doc[i].text != ":":
        return None
    start = _sentence_start(doc, i, STORM_COLON_WINDOW)
    window = doc[max(start, i - STORM_COLON_WINDOW):i]
    word = next((t.text for t in window if cues.has(t.text, "storm")), None)
    return Cue(f"in a list after the storm word {word!r}") if word else None


def _after(doc: Doc, name: Span, cues: Cues) -> Cue | None:
    """An organisation's word after the name ("Xinhua News Agency"), or an age ("Beryl, 81,")."""
    nxt = [doc[i] for i in range(name.end, min(name.end + 3, len(doc)))]  # made once, read below
    for n in (2, 1):
        words = "".join(t.text_with_ws for t in nxt[:n - 1]) + nxt[n - 1].text if len(nxt) >= n else ""
        if words and cues.has(words, "org"):
            return Cue(f"organisation word {words!r} after it")
    texts = [t.text for t in nxt]
    if len(texts) == 3 and texts[0] == "," and texts[1].isdigit() and texts[2] == ",":
        if 0 < int(texts[1]) <= MAX_AGE:
            return Cue(f"an age after it ({texts[1]!r})")
    return None


def _holiday(doc: Doc, span: Span, cues: Cues) -> Cue | None:
    """A holiday named for a saint or a person in the possessive, the span holding it or standing before its
    possessive ("St. Patrick's Day", "St. Patrick" + "'s Day")."""
    ending = span[-2:] if len(span) > 2 else doc[span.end:span.end + 2]
    if len(ending) == 2 and ending[0].text in POSSESSIVES and cues.has(ending[1].text, "holiday") \
            and ending[1].text[:1].isupper():
        return Cue(f"a holiday's name ({ending.text!r})", decisive=True)
    return None


def club_name(text: str, start: int, end: int) -> str | None:
    """A sports club's short name ending in a club's word near a sport word ("will play Man City in the
    second leg"), in words; None for other names. Read by the resolver: such a name is no place
    unless the place it is found at (without the club's word) fits the article (Norwich City)."""
    words = text[start:end].split()
    if len(words) < 2 or not is_cue(words[-1], "club"):
        return None
    window = text[max(0, start - SPORT_WINDOW):end + SPORT_WINDOW]
    sport = next((w for w in _WORD.findall(window) if is_cue(w, "sport")), None)
    return f"club word {words[-1]!r} ends it, near the sport word {sport!r}" if sport else None


BYLINE_WORDS = frozenset(("By", "BY"))


def _byline(doc: Doc, span: Span) -> Cue | None:
    """The first name of a byline: "By" opening a sentence, the name, and a surname after it ("BY CHAD KLIMACK",
    "By Austin Ramzy"); not "By Ukraine's count" nor "By Gaza City standards"."""
    i = span.start
    if i == 0 or doc[i - 1].text not in BYLINE_WORDS or not doc[i - 1].is_sent_start or span.end >= len(doc):
        return None
    surname = doc[span.end]
    if not (surname.is_alpha and surname.text[:1].isupper()):
        return None
    return Cue(f"a byline: {doc[i - 1].text!r} before it and a surname after it", decisive=True)


def _ends_org(span: Span, cues: Cues) -> tuple[Span, Cue] | None:
    """The name before an organisation's word that ends the span ("Xinhua News Agency")."""
    for n in (2, 1):
        if len(span) > n and cues.has(span[-n:].text, "org"):
            return span[:-n], Cue(f"organisation word {span[-n:].text!r} ends it")
    return None


def cue_of(doc: Doc, span: Span, known: Callable[[str], bool], cues: Cues = ENGLISH_CUES) -> tuple[Span, Cue] | None:
    """The name a span holds (without the title that starts it, or the organisation's word that ends
    it) and the cue about it, if any."""
    title = _title(span[0], cues) if len(span) > 1 else None
    if title and not any(known(span[:n].text) for n in range(len(span), 1, -1)):
        # "Hurricane Harvey"; not "Prince George", a place of that name, nor "Prince William County Circuit Court"
        return span[1:], Cue(title.reason.replace("before it", "starts it"), decisive=True)
    org = _ends_org(span, cues)
    if org:
        return org
    cue = ((_title(doc[span.start - 1], cues) if span.start > 0 else None) or _storm_list(doc, span, cues)
           or _after(doc, span, cues) or _holiday(doc, span, cues) or _byline(doc, span))
    return (span, cue) if cue else None


def _surname(person: Span) -> Token | None:
    """The last word of a person's longer name ("Salah" of "Mohamed Salah"): how news names them."""
    words = [t for t in person if t.is_alpha]
    last = words[-1] if len(words) > 1 else None
    return last if last is not None and last.text[:1].isupper() else None


class Evidence:
    """The readings of every name in one article (`entities`: all the doc's); `known`: whether the gazetteer
    has a place of that exact name ("Salt Lake City" is one; "Man City" is not); `cues`: the article's
    language's cue words; `label`: an entity's label in the English model's terms (the French PER is PERSON)."""

    def __init__(self, entities: Sequence[Span], known: Callable[[str], bool], cues: Cues = ENGLISH_CUES,
                 label: Callable[[Span], str] = lambda ent: ent.label_):
        self.known = known
        self.cues = cues
        self.readings: dict[str, Reading] = defaultdict(Reading)
        self.person_words: set[str] = set()  # every word of the names read as a person's
        self._cues: dict[tuple[int, int], tuple[Span, Cue] | None] = {}  # (start, end) token -> `cue_of` there
        ents = [(ent, label(ent)) for ent in entities]
        self.alone = {normalize(e.text) for e, _ in ents if len(e) == 1}  # names said as one word
        # token -> the person's (or group's) name holding it: the entities do not overlap
        self.name_at = {i: e for e, tag in ents if tag in NAME_LABELS for i in range(e.start, e.end)}
        for ent, tag in ents:
            key = normalize(ent.text)
            if tag == "PERSON":
                self.readings[key].person += 1
                surname = _surname(ent)
                if surname is not None:
                    self.readings[normalize(surname.text)].surname += 1
                self.person_words.update(normalize(t.text) for t in ent if t.text[:1].isupper())
            elif tag in PLACE_READINGS:
                self.readings[key].place += 1
            found = self._cue_of(ent)
            if found:
                name, cue = found
                for k in {key, normalize(name.text)}:
                    self.readings[k].cues.append(cue.reason)

    def _cue_of(self, span: Span) -> tuple[Span, Cue] | None:
        """`cue_of` a span, worked out once per span of the article (a candidate is mostly an entity read here)."""
        where = span.start, span.end
        if where not in self._cues:
            self._cues[where] = cue_of(span.doc, span, self.known, self.cues)
        return self._cues[where]

    def _full_name(self, span: Span) -> Cue | None:
        """The span is the first word(s) of a person's full name the article later calls by the last
        word alone ("Victoria" of "Victoria Vivians", then "Vivians")."""
        ent = self.name_at.get(span.start)
        if ent is None or ent.end - span.end != 1 or normalize(ent[-1].text) not in self.alone:
            return None
        return Cue(f"first word of the name {ent.text!r}, called {ent[-1].text!r} alone elsewhere", decisive=True)

    def _title_of_person(self, span: Span) -> Cue | None:
        """The span is a role word right before a person's name ("Trooper" of "hit Trooper Drew Ledbetter")."""
        if len(span) != 1 or span.end not in self.name_at or not self.cues.has(span.text, "role"):
            return None
        return Cue(f"a title before the person's name {self.name_at[span.end].text!r}", decisive=True)

    def against(self, span: Span, *, bears: bool, famous: bool) -> list[str]:
        """The reasons the name at `span` is no place, or [] when the evidence does not outweigh the
        place (`bears`: a gazetteer place has the name; `famous`: a famous one has it)."""
        key = normalize(span.text)
        reading = self.readings.get(key, Reading())
        found = self._cue_of(span)
        own = found[1] if found else self._full_name(span) or self._title_of_person(span)
        weight = reading.weight()
        if own and (own.decisive or not famous):
            enough = True
        elif not bears and len(span) == 1:  # a word no place bears: any word of a person's name ("Yehia")
            enough = weight > 0 or reading.person > 0 or key in self.person_words
        elif famous:
            enough = weight > reading.place
        else:
            enough = weight > 0 and weight >= reading.place
        if not enough:
            return []
        reasons = [own.reason] if own else []
        if reading.person or reading.surname:
            reasons.append(f"read as a person {reading.person} time(s) alone and {reading.surname} time(s) as the "
                           f"last word of a person's name in the article, as a place {reading.place}")
        elif key in self.person_words:
            reasons.append("a word of a person's name in the article, and no place's name")
        reasons += [f"elsewhere: {c}" for c in dict.fromkeys(reading.cues) if not own or c != own.reason]
        return reasons
