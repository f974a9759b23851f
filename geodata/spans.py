"""What a span's own characters and the tokens around it say, for the extractor (`extract.py`): a span
narrowed to its name, a preposition of place before it or a list one opens, a word for a town's people or a
front line's stretch after it (or after its list), words in apposition that call it a town, a street's
word, a distance and a direction from another place, and the tokens that join a name. The words are the article
language's (`LanguageRules`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from .bearings import bearing_after
from .gazetteer import normalize
from .records import POSSESSIVES, Bearing, Candidate
from .resolve.expand import DIRECTIONS, DIVISION_KINDS, GENERIC_SUFFIXES, STREET_WORDS
from .rules import ENGLISH, LanguageRules

MAX_LISTED = 3  # names of a list read past, to the preposition after it
# Lower-case words inside Portuguese, Spanish, Italian and French names of places ("Mato Grosso do Sul").
NAME_PARTICLES = frozenset(("do", "da", "dos", "das", "de", "del", "della", "di", "du", "des"))
# Articles and links that transliterated Arabic, Persian and Urdu names write in lower case, joined by a hyphen
# to the word after them: "Deir ez-Zor", "Jisr al-Shughur", "Sharm el-Sheikh", "Mazar-i-Sharif".
HYPHEN_PARTICLES = frozenset(("al", "el", "ad", "ed", "adh", "az", "ez", "as", "es", "ash", "esh", "ar", "er",
                              "an", "en", "at", "et", "ath", "ud", "ul", "un", "i", "e"))
_PARTICLE = "|".join(sorted(HYPHEN_PARTICLES))
_LINKED = re.compile(rf"\b[A-Z]\w*(?:(-(?:{_PARTICLE})-)| ((?:{_PARTICLE})-))(?=[A-Z][a-z])")
# Generic words that say what kind of place a name is ("province", "region", "river", "island"), with the
# feature classes they allow; not those of a town too ("city"). Lower-case after a name they make it that
# place's (`Extractor._with_kind_word`).
KIND_WORDS = {word: kinds for word, kinds in GENERIC_SUFFIXES.items() if "P" not in kinds}
MAX_DIVISION_WORDS = 3  # capitalised words of a division's name before its word ("in the North Darfur state")
_TRAILING = re.compile(r"(?:['\u2019]s?|[\s.,;:!?\"'\u2019\u201d)\]-])+$")


def trim(text: str, start: int, end: int, leading: re.Pattern[str] = ENGLISH.leading) -> tuple[int, int]:
    """Narrow a span to its name: no leading article ("the", `LanguageRules.leading`), no trailing
    possessive or punctuation."""
    surface = text[start:end]
    lead = leading.match(surface)
    if lead and lead.end() < len(surface):
        start += lead.end()
    tail = _TRAILING.search(text[start:end])
    if tail and tail.start() > 0:
        end = start + tail.start()
    return start, end


def after_locative(span: Span, rules: LanguageRules) -> bool:
    """Whether a span stands right after a preposition of place or a verb whose object is a place
    (`LanguageRules.locatives`, `place_verbs`) or a noun of attack and its preposition where the NER reads no
    person ("strikes on Tyre", `targets`; not "an attack on Smith"), after a word for a kind of place and "of"
    ("the town of Maungdaw", `place_nouns`), or after a comma or a person's name and a word that says where someone
    lives ("Jane Doe, 52, of Grovetown", "Terry McAuliffe of McLean"); past a lower-case compass word ("in northern
    Shan State")."""
    doc, i = span.doc, span.start
    if i > 1 and _compass_word(doc[i - 1]):
        i -= 1  # past a compass word: "in northern Shan State"
    if i == 0:
        return False
    before = doc[i - 1].lower_
    return before in rules.locatives or before in rules.place_verbs or (i > 1 and (
        (before in rules.targets.get(doc[i - 2].lower_, ()) and span[0].ent_type_ != "PERSON")  # "attack on Smith"
        or (before in rules.residence and (doc[i - 2].text == "," or doc[i - 2].ent_type_ == "PERSON"))
        or (before in rules.of_words and doc[i - 2].lower_ in rules.place_nouns)))


def kind_named(span: Span, rules: LanguageRules) -> str | None:
    """The feature classes a word for a kind of place before a span and "of" allows ("the town of Menaka": P,
    the town rather than its region; `LanguageRules.place_nouns`), or before the list the span closes ("the
    regions of Donetsk and Luhansk", "les régions de Donetsk et de Louhansk"); None when none is said."""
    doc, i = span.doc, span.start
    for _ in range(MAX_LISTED + 1):
        if i >= 2 and doc[i - 1].lower_ in rules.of_words and doc[i - 2].lower_ in rules.place_nouns:
            return rules.place_nouns[doc[i - 2].lower_] or None
        j = i - 1 - (i >= 1 and doc[i - 1].lower_ in rules.of_words)  # "et de Louhansk"
        if j < 1 or doc[j].lower_ not in rules.cues.list_words:
            return None
        i = j
        while i > 0 and doc[i - 1].text[:1].isupper():  # back to the list's name before
            i -= 1
        if i == j:
            return None
    return None


def _list_word(token: Token, rules: LanguageRules) -> bool:
    return token.is_alpha and token.lower_ in rules.cues.list_words


def _list_end(span: Span, rules: LanguageRules, commas: bool = True) -> tuple[int, bool]:
    """The token after the names that follow a span in a list, each after a comma (`commas`) or "and"/"or"
    (", Toretsk and Vuhledar" after "Chasiv Yar"), and whether a list word closed the list."""
    doc, i, closed = span.doc, span.end, False
    for _ in range(MAX_LISTED):
        comma = commas and not closed and doc[i].text == "," if i < len(doc) else False
        if i + 1 >= len(doc) or not (comma or _list_word(doc[i], rules)) \
                or not doc[i + 1].text[:1].isupper() or doc[i + 1].is_sent_start:
            break
        closed = closed or not comma
        i += 1
        while i < len(doc) and doc[i].text[:1].isupper() and not doc[i].is_sent_start:
            i += 1
    return i, closed


def listed_after_locative(span: Span, rules: LanguageRules, is_place: Callable[[str], bool]) -> bool:
    """Whether a span is a name of a list that a preposition of place opens, each name before it a place's
    (`is_place`), its names joined by commas and a closing "and" or "or": "in Tigray and Amhara", "near Chasiv
    Yar, Toretsk and Vuhledar". Not a list of streets ("near Rivers and Stokes avenues"), nor the names after a
    comma that closes a sentence's opening place ("In Boston, Kennedy and Warren said")."""
    doc, end = span.doc, span.start
    after, closed = _list_end(span, rules)
    if _before_street_word(span) or _before_street_word(doc[after - 1:after]):
        return False
    comma = False
    for _ in range(MAX_LISTED):  # a few names back, as forward: a list of thousands is read in linear time
        if end <= 1 or not (_list_word(doc[end - 1], rules) or doc[end - 1].text == ","):
            return False
        closed = closed or doc[end - 1].text != ","
        comma = comma or doc[end - 1].text == ","
        start = end - 1  # the name before the list word: its capitalised words
        while start > 0 and doc[start - 1].text[:1].isupper() and not doc[start].is_sent_start:
            start -= 1
        name = doc[start:end - 1]
        if not len(name) or not is_place(name.text):
            return False
        if after_locative(name, rules):  # the sentence's opening place: within its first three words
            opening = any(doc[k].is_sent_start for k in range(max(0, name.start - 2), name.start + 1))
            return closed and not (comma and opening)
        end = start
    return False


def listed_with_place(span: Span, rules: LanguageRules, famous: Callable[[str], bool]) -> bool:
    """Whether a span is joined by "and" or "or" to a name the NER reads as a place, right after or right
    before it ("Khan Younis and Deir al-Balah", "Gaza and Khan Younis"); a span of several words also to a
    single word that is a famous place's name (`famous`), whatever the NER read ("Khan Younis and Rafah", both
    read as people; not "Peter, Paul and Mary")."""
    doc = span.doc

    def place(i: int) -> bool:
        token = doc[i]
        if token.ent_type_ in ("GPE", "LOC"):
            return True
        if len(span) == 1:
            return False
        alone = token.ent_iob_ != "I" and (i + 1 == len(doc) or doc[i + 1].ent_iob_ != "I")  # no word of a name
        return alone and token.text[:1].isupper() and famous(token.text)

    def joined(word: int, name: int) -> bool:
        return 0 <= min(word, name) and max(word, name) < len(doc) and doc[word].is_alpha \
            and doc[word].lower_ in rules.cues.list_words and place(name)

    return not _before_street_word(span) and (joined(span.end, span.end + 1) or joined(span.start - 1, span.start - 2))


def place_it_lies_in(span: Span, rules: LanguageRules) -> Span | None:
    """The name the NER reads as a place that a preposition of place after a span, or after the list of names
    it opens, introduces, past an article and a compass word: "Libya" of "Derna in eastern Libya", "the Gaza
    Strip" of "Khan Younis and Rafah in the southern Gaza Strip"; None when there is none."""
    doc = span.doc
    i, _ = _list_end(span, rules, commas=False)  # past the other names of a list
    if i >= len(doc) or doc[i].lower_ not in rules.locatives:
        return None
    i, _ = _past_article_and_compass(doc, i + 1, rules)
    return next((e for e in doc.ents if e.start == i and e.label_ in ("GPE", "LOC")), None) if i < len(doc) else None


def _past_article_and_compass(doc: Doc, i: int, rules: LanguageRules) -> tuple[int, bool]:
    """Token `i`, or the token past an article and a lower-case compass word there ("the southern" of "in the
    southern Gaza Strip"), and whether a compass word was passed."""
    i += i < len(doc) and bool(rules.leading.match(doc[i].text_with_ws))
    compass = i < len(doc) and _compass_word(doc[i])
    return i + compass, compass


def country_part_after(span: Span, rules: LanguageRules) -> Span | None:
    """The name the NER reads as a place's (GPE) that the words after a span say it lies in a part of:
    a preposition (`LanguageRules.within`) before a compass word and the name ("Mahas in central Somalia"), or
    before the name's possessive ("Mahas, in Somalia's Hiran region"); or a division's name and its word there,
    whatever the NER read ("Pont-Sonde in the Artibonite region", `_division_at`); None when there is none. Without
    such a word "in" says too little: "troops from Fort Bragg in Iraq"."""
    doc, i = span.doc, span.end
    i += i < len(doc) and doc[i].text == ","
    if i >= len(doc) or doc[i].lower_ not in rules.within:
        return None
    i, compass = _past_article_and_compass(doc, i + 1, rules)
    # the entity may hold the article skipped above: "in the Democratic Republic of Congo's North Kivu"
    name = next((e for e in doc.ents if e.start <= i < e.end and i - e.start <= 1 and rules.label(e) == "GPE"), None)
    owned = name is not None and name.end < len(doc) and doc[name.end].text in POSSESSIVES
    return name if name is not None and (compass or owned) else _division_at(doc, i)


def _division_at(doc: Doc, i: int) -> Span | None:
    """The capitalised words from token `i` with a lower-case word for a division after them ("Artibonite region",
    "North Darfur state"): the division's name and its word; None when the words there are no such name."""
    end = i
    while end < len(doc) and end - i < MAX_DIVISION_WORDS and doc[end].is_alpha and doc[end].text[:1].isupper():
        end += 1
    return doc[i:end + 1] if i < end < len(doc) and doc[end].lower_ in DIVISION_KINDS else None


def apposed_kind(span: Span, rules: LanguageRules) -> str | None:
    """The feature classes allowed by words that, after a comma, call a span a town or a division: an article
    or none, at most two lower-case words, and a noun of `LanguageRules.apposed` that starts no compound (not
    "a city official", "the town's mayor"): "Wad Madani, the capital of Gezira state", "Sake, a small town west
    of Goma"; None when no such words follow."""
    doc, i = span.doc, span.end
    if i + 2 >= len(doc) or doc[i].text != ",":
        return None
    i += 1 + (doc[i + 1].lower_ in rules.articles)
    for j in range(i, min(i + 3, len(doc) - 1)):
        if not doc[j].is_lower:
            return None
        if doc[j].lower_ in rules.apposed:
            after = doc[j + 1]
            # "the capital of", "a town on"
            links = rules.of_words | rules.locatives | rules.within | rules.apposed_next
            ends = after.text not in POSSESSIVES and (after.is_punct or after.like_num or _compass_word(after)
                                                      or after.lower_ in links)
            return rules.apposed[doc[j].lower_] if ends else None
    return None


@dataclass(frozen=True)
class Said:
    """What the words around a name say of it (`said_of`)."""

    place: bool = False  # that it is a place
    classes: str | None = None  # the feature classes they allow (`kind_named`, `apposed_kind`)
    within: str | None = None  # the country or division it lies in a part of (`country_part_after`: "Mahas in central
    # Somalia", "Pont-Sonde in the Artibonite region")
    bearing: Bearing | None = None  # its distance and direction from another place (`bearings.py`)
    townsfolk: bool = False  # a word for a few of its people follows (`townsfolk_after`)

    @property
    def measured(self) -> bool:
        """Whether the words give the name's distance and direction from another place (`Bearing.measured`)."""
        return self.bearing is not None and self.bearing.measured

    def onto(self, cand: Candidate) -> Candidate:
        """The candidate with what the words say of it."""
        return replace(cand, said_place=cand.said_place or self.place, classes=self.classes or cand.classes,
                       within=self.within, bearing=self.bearing, townsfolk=self.townsfolk)


def said_of(span: Span, rules: LanguageRules) -> Said:
    """What the words around a span say of it: it is a place after a preposition of place or a verb, before a kind
    of place after its possessive ("Mogadishu's Hodan district"), before words in apposition, or before its
    distance and direction from another place ("Mahas, 300 km north of Mogadishu"); and what `Said` holds: the kind
    the words say, where it lies, its bearing, and whether a word for its people follows ("a Lebanon woman")."""
    apposed, bearing, around = apposed_kind(span, rules), bearing_after(span, rules), country_part_after(span, rules)
    place = apposed is not None or bearing is not None or after_locative(span, rules) or owned_part(span)
    within = around.text if around is not None else country_before_kind(span, rules)
    return Said(place, kind_named(span, rules) or apposed, within, bearing, townsfolk_after(span, rules))


def token_after(span: Span) -> Token | None:
    """The token right after a span, if any."""
    return span.doc[span.end] if span.end < len(span.doc) else None


def townsfolk_after(span: Span, rules: LanguageRules) -> bool:
    """Whether a one-word name in title case, after an indefinite article or opening its sentence, stands before a
    word for one or two of its people (`LanguageRules.townsfolk`): "a Lebanon woman", "Lebanon man charged" are of a
    Lebanon in Ohio or Pennsylvania, where English writes a country's adjective ("a Lebanese woman"); not "Lebanon
    residents", "the Mexico native", said of countries too."""
    after, first = token_after(span), span[0]
    opens = first.is_sent_start or (first.i > 0 and first.nbor(-1).lower_ in rules.indefinite)
    return len(span) == 1 and first.is_title and opens and after is not None and after.lower_ in rules.townsfolk


def country_before_kind(span: Span, rules: LanguageRules) -> str | None:
    """The country or region that an article, its name and a word for a town's or a division's kind before a span and
    "of" say the place lies in ("the Darfur town of Tawila", "the Sudanese city of El Fasher", "the US state of
    Georgia"): its name, a word of nationality read as its country's ("Sudan"); None when the words there say none."""
    doc, i = span.doc, span.start
    kinds = rules.apposed.get(doc[i - 2].lower_, "") if i >= 4 else ""
    if doc[i - 1].lower_ not in rules.of_words or not set("PA") & set(kinds):
        return None
    end = start = i - 2
    while start > 0 and end - start < MAX_DIVISION_WORDS and doc[start - 1].is_alpha \
            and doc[start - 1].text[:1].isupper():
        start -= 1
    if start == end or doc[start - 1].lower_ not in rules.articles:
        return None
    name = doc[start:end].text
    demonym = rules.demonym(name)
    return demonym[1] if demonym is not None else name


def kind_word_after(span: Span) -> Token | None:
    """The lower-case word for a kind of place right after a span (`KIND_WORDS`: "region", "river"), if any."""
    word = token_after(span)
    return word if word is not None and word.is_lower and word.lower_ in KIND_WORDS else None


def owned_part(span: Span) -> bool:
    """Whether a span is a part of a place that its possessive and a lower-case word for a kind of place say it
    is: "Mogadishu's Hodan district" (not "Texas's Abbott")."""
    after = token_after(span)
    return after is not None and after.is_lower and after.lower_ in GENERIC_SUFFIXES \
        and possessive_place(span) is not None


def words_after_comma(span: Span) -> Span | None:
    """The capitalised words (three at most) after a comma right after a span: "S.D." of "Sioux Falls, S.D. and
    Surprise", a town's state or country if any; None when there are none."""
    doc, i = span.doc, span.end
    if i + 1 >= len(doc) or doc[i].text != ",":
        return None
    j = i + 1
    while j < len(doc) and j - i <= MAX_LISTED and doc[j].text[:1].isupper() and not doc[j].is_sent_start:
        j += 1
    return doc[i + 1:j] if j > i + 1 else None


def place_owning(span: Span) -> Span | None:
    """The name the NER reads as a place whose possessive stands right before a span in which it reads nothing:
    "Maui" of "Maui's Lahaina" (not "Texas's Abbott", a person); None otherwise."""
    return None if any(t.ent_type_ for t in span) else possessive_place(span)


def possessive_place(span: Span) -> Span | None:
    """The name the NER reads as a place whose possessive stands right before a span ("Mogadishu" of
    "Mogadishu's Hodan district"), if any."""
    doc, i = span.doc, span.start
    if i < 2 or doc[i - 1].text not in POSSESSIVES:
        return None
    return next((e for e in doc.ents if e.end == i - 1 and e.label_ in ("GPE", "LOC")), None)


def _compass_word(token: Token) -> bool:
    """Whether a token is a lower-case compass word ("northern", "eastern": `DIRECTIONS`)."""
    return token.is_lower and normalize(token.text) in DIRECTIONS


def _before_street_word(span: Span) -> bool:
    """Whether a lower-case street word follows a span: a list of streets ("Lakeview and Harrison streets")."""
    after = token_after(span)
    return after is not None and after.is_lower and normalize(after.text).rstrip("s") in STREET_WORDS


def before_town_word(span: Span, rules: LanguageRules) -> bool:
    """Whether a span stands right before a word for a town's people or for the stretch of a front line around
    it (`LanguageRules.people`, `fronts`), or a verb of `place_verbs` in the passive ("Aleppo was shelled"), or
    before the list it opens ("the Lyman and Siversk directions")."""
    doc = span.doc
    i, _ = _list_end(span, rules)
    word = doc[i].lower_ if i < len(doc) else None
    undergoes = word in rules.passive and i + 1 < len(doc) and doc[i + 1].lower_ in rules.place_verbs
    return word in rules.people or word in rules.fronts or undergoes


def street_word(run: Span, after: Token | None) -> Token | None:
    """The capitalised street word that makes a run of capitalised words a street's name: its last word
    ("Hungerford Street") or the word right after it ("Hungerford St.", "Berlin Ave."); None when none does."""
    if len(run) > 1 and normalize(run[-1].text) in STREET_WORDS:
        return run[-1]
    if after is not None and after.text[:1].isupper() and not after.is_sent_start \
            and normalize(after.text) in STREET_WORDS:
        return after
    return None


def joins(doc: Doc, i: int, j: int) -> bool:
    """Whether token `j`, next to token `i` (before or after it) in one sentence, could be a word of the
    same name: capitalised ("St." too), apart from it, and in no entity of the NER's."""
    word = doc[j]
    return (word.is_title and (word.is_alpha or word.text.endswith(".")) and not word.ent_type_
            and doc[min(i, j)].whitespace_ != "" and not doc[max(i, j)].is_sent_start)


def particle_joins(doc: Doc, i: int) -> bool:
    """Whether token `i` is a lower-case particle of a name ("do" of "Rio Grande do Sul", "del" of "Ciudad del
    Este", `NAME_PARTICLES`) between two words of it, the one after it capitalised and apart (`joins`)."""
    return (doc[i].lower_ in NAME_PARTICLES and doc[i].is_lower and i + 1 < len(doc) and doc[i - 1].whitespace_ != ""
            and joins(doc, i, i + 1))


def name_links(doc: Doc, text: str) -> set[int]:
    """The tokens that link two capitalised words of one name through a particle and a hyphen ("ez" and "-"
    of "Deir ez-Zor", "-i-" of "Mazar-i-Sharif", `HYPHEN_PARTICLES`); `text`: the doc's (`TextView.text`:
    spaCy rebuilds `Doc.text` on every read)."""
    links: set[int] = set()
    for match in _LINKED.finditer(text):
        group = 1 if match.group(1) else 2
        span = doc.char_span(match.start(group), match.end(group))
        if span is not None:
            links.update(range(span.start, span.end))
    return links


def glued_hyphen(doc: Doc, i: int) -> bool:
    """Whether token `i` is a hyphen with no space on either side ("Gilgit-Baltistan")."""
    return doc[i].text == "-" and not doc[i].whitespace_ and not doc[i - 1].whitespace_
