"""A place the text puts at a distance and in a direction from another, at a distance alone, or near it: "Mahas, a
town about 300 km north of Mogadishu", "Zamzam, 15km south-west of El Fasher", "Boulkessi, à une trentaine de
kilomètres au nord-est de Mondoro", "Kibati, 12 km from Goma", "Rathbeggan, near Dunshaughlin", "Mahas, 300 km
north of the capital". Conflict reports place villages no gazetteer holds this way; the resolver puts them there
(`resolve.bearing_points`). The words are the article language's (`LanguageRules.about`, `units`, `numbers`,
`bearings`, `toward`, `away`, `near`, `capital`, `there`)."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from .records import CAPITAL, EARLIER, Bearing
from .rules import LanguageRules

MAX_BEFORE = 4  # lower-case words between the comma and the distance ("a small town about")
MAX_KM = 1000.0  # the farthest a text places a village from another place (in the unit it uses)
MAX_KIND_WORDS = 3  # lower-case words for the other place's kind before its name ("the provincial capital Bukavu")
MAX_ASIDE = 6  # tokens of a bracketed aside after the distance ("40 km (25 miles) southwest of Goma")
THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")  # "1,200": a comma before three figures groups thousands
FIGURES = re.compile(r"\d+(?:[.,]\d+)?")  # "300", "2.5", the French "2,5"; not "1_000" or "1e2", which float() reads


def bearing_after(span: Span, rules: LanguageRules) -> Bearing | None:
    """Where the words after a span and a comma put it from another place, after a few lower-case words: at a
    distance and in a direction (a number in figures or words, a unit, words before the direction, the direction,
    "of" and the other place's name), at a distance alone ("20 km from Goma"), in a direction alone ("east of
    Aleppo"), or near it (a word of `LanguageRules.near`, "of" if any, the name: "Rathbeggan, near Dunshaughlin",
    "Bucha, on the outskirts of Kyiv"); None when the words say no such thing ("near the border" names no
    place)."""
    doc, i = span.doc, span.end
    if not rules.units or i + 3 >= len(doc) or doc[i].text != ",":
        return None
    i += 1
    while i < span.end + 1 + MAX_BEFORE and i + 2 < len(doc) and doc[i].lower_ not in rules.near \
            and doc[i].lower_ not in rules.numbers and doc[i].lower_ not in rules.bearings \
            and doc[i].is_lower and doc[i].is_alpha:
        i += 1
    if not _say_a_place(doc[span.end + 1:i], rules):
        return None  # "Jean Bosco, who lives 5 km from Goma": a person's whereabouts
    if doc[i].lower_ in rules.near:
        return _toward(doc, i + 1 + (doc[i + 1].lower_ in rules.of_words), rules, 0.0, None, doc[i].lower_)
    km = rules.numbers.get(doc[i].lower_) or _number(doc[i])
    if km is None:
        return _in_direction(doc, i, rules, None)  # "the Tishrin Dam, east of Aleppo"
    i += 1 + (doc[i + 1].lower_ in rules.of_words and i + 2 < len(doc))  # "une trentaine de kilomètres"
    unit = rules.units.get(doc[i].lower_)
    if unit is None:
        return None
    i = _past_aside(doc, i + 1)
    if i + 1 < len(doc) and doc[i].lower_ in rules.away:  # "Kibati, 20 km from Goma": a distance, no direction
        return _toward(doc, i + 1, rules, km * unit, None, doc[i].lower_)
    return _in_direction(doc, i, rules, km * unit)


def _in_direction(doc: Doc, i: int, rules: LanguageRules, km: float | None) -> Bearing | None:
    """The bearing of the direction at token `i`, past the words before it ("to the", "au", `LanguageRules.toward`),
    "of" and the other place: at `km` in that direction, or, with no distance (None), somewhere on that side of it
    ("east of Aleppo", "à l'est d'Alep": `Bearing.side`); None when no direction and "of" are there."""
    while i < len(doc) and doc[i].lower_ in rules.toward:
        i += 1
    direction, i = _direction(doc, i, rules)
    if direction is None or i + 1 >= len(doc) or doc[i].lower_ not in rules.of_words:
        return None
    if km is None:
        return _toward(doc, i + 1, rules, 0.0, None, direction, side=True)
    return _toward(doc, i + 1, rules, km, rules.bearings[direction], direction)


def _say_a_place(words: Span, rules: LanguageRules) -> bool:
    """Whether the words between a name's comma and its distance or nearness go with a place: none, articles and
    words of approximation ("about", `LanguageRules.about`), or any words with one for a place's kind ("a small
    town about"); not a person's ("who lives", "speaking")."""
    lower = [t.lower_ for t in words]
    return all(w in rules.articles or w in rules.about or w in rules.toward for w in lower) \
        or any(w in rules.apposed for w in lower)


def measured_after(span: Span, rules: LanguageRules) -> bool:
    """Whether the words after a span give its distance and direction from another place (`Bearing.measured`)."""
    bearing = bearing_after(span, rules)
    return bearing is not None and bearing.measured


def _toward(doc: Doc, i: int, rules: LanguageRules, km: float, degrees: float | None, direction: str, *,
            side: bool = False) -> Bearing | None:
    """The bearing toward the place whose name starts at token `i`, past an article and words for its kind ("the
    town of Goma", "the provincial capital, Bukavu"), or toward what a word stands for when the words name none:
    the capital of the article's country ("300 km north of the capital"), the town named before ("15 km south of
    the town", "au nord de là"); None when neither stands there."""
    i += i + 1 < len(doc) and bool(rules.leading.match(doc[i].text_with_ws))
    i, kind = _past_kind(doc, i, rules)
    if i < len(doc) and doc[i].text[:1].isupper():
        end = next((e.end for e in doc.ents if e.start == i), i + 1)
        return Bearing(km, degrees, direction, doc[i].idx, doc[end - 1].idx + len(doc[end - 1]), side=side)
    word = kind if kind is not None else doc[i] if i < len(doc) and doc[i].lower_ in rules.there else None
    if word is None:
        return None
    refers = CAPITAL if word.lower_ == rules.capital else EARLIER
    return Bearing(km, degrees, direction, word.idx, word.idx + len(word), refers=refers, side=side)


def _past_kind(doc: Doc, i: int, rules: LanguageRules) -> tuple[int, Token | None]:
    """Past the lower-case words at token `i` when one of them is a word for a place's kind (`LanguageRules.apposed`),
    and a comma after them ("capital, Mogadishu", "town of Goma", "capitale régionale Mopti"); with the word for a
    capital or a town when it stands first among words for a kind ("the capital", "the capital city", "the town";
    not "the provincial capital", "the district"). `i` and None when no word for a kind is there."""
    j, stop, other = i, min(len(doc), i + MAX_KIND_WORDS), rules.apposed_next | rules.locatives  # "capital on Monday"
    while j < stop and doc[j].is_lower and doc[j].is_alpha and doc[j].lower_ not in other:
        j += 1
    if not any(t.lower_ in rules.apposed for t in doc[i:j]):
        return i, None
    first = doc[i].lower_
    alone = "P" in rules.apposed.get(first, "") and all(t.lower_ in rules.apposed for t in doc[i + 1:j])
    return j + (j < len(doc) and doc[j].text == ","), doc[i] if alone else None


def _number(token: Token) -> float | None:
    """A distance written in figures ("300", "1,200", "2.5", the French "2,5"), up to `MAX_KM`; None for words
    (`LanguageRules.numbers`), for anything else, and for more: "5,000 km east of Moscow" places no village."""
    if THOUSANDS.fullmatch(token.text):
        value = float(token.text.replace(",", ""))
    elif FIGURES.fullmatch(token.text):
        value = float(token.text.replace(",", "."))
    else:
        return None
    return value if 0 < value <= MAX_KM else None


def _past_aside(doc: Doc, i: int) -> int:
    """Past a bracketed aside at token `i` ("(25 miles)"), if one closes within `MAX_ASIDE` tokens."""
    if i < len(doc) and doc[i].text == "(":
        close = next((j for j in range(i + 1, min(i + MAX_ASIDE, len(doc))) if doc[j].text == ")"), None)
        return i if close is None else close + 1
    return i


def _direction(doc: Doc, i: int, rules: LanguageRules) -> tuple[str | None, int]:
    """The direction written at token `i` ("north", "northeast", "south-west", "north east", "nord-est") and the
    token after it; None when there is none."""
    words = [t.lower_ for t in doc[i:i + 3]]
    forms = [(f"{words[0]}-{words[2]}", 3)] if len(words) == 3 and words[1] == "-" else []
    forms += [(f"{words[0]}-{words[1]}", 2)] if len(words) >= 2 else []
    forms += [(words[0], 1)] if words else []
    return next(((written, i + width) for written, width in forms if written in rules.bearings), (None, i))
