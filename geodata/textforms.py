"""Places the text's form names, whatever the NER read there: a dateline ("BOWLING GREEN, Ohio (AP) --"),
a politician's party tag ("Rep. Earl Pomeroy, D-N.D."), a list closed by a plural division ("Douglas,
Sarpy and Lancaster counties"), two words joined by a possessive ("Bishop's Stortford"). Each name is kept only if
the gazetteer knows it as a town or a division."""

from __future__ import annotations

import re
from typing import Protocol

from .gazetteer import Gazetteer
from .resolve.expand import PLURAL_DIVISIONS, division_named

# A dateline: a place's name in capitals, maybe its state and the agency, then a dash, opening the text,
# a line or a sentence ("ROSWELL - A man...", "BOWLING GREEN, Ohio (AP) -- Students...", a wire's
# "PLEASANTON, Calif.--(BUSINESS WIRE)--"). The NER seldom reads a name in capitals, and a dateline
# always names a place. A word may open with a particle in lower case ("DeKALB", "McALLEN"); the dash may be
# three hyphens, or an en or em dash (also as the C1 codes a text decoded as Latin-1 has for them) right
# before the first word ("FALLS VILLAGE—The board").
_AFTER_CAPITAL = r"(?:[a-z]{1,2}(?=[A-Z]))?[A-Z'.]*"  # a word in capitals after its first letter
_CAPITALS = "[A-Z]" + _AFTER_CAPITAL
# A name's first capital, not inside a word (after a letter, an apostrophe or a full stop): the check looks back
# from after the capital, so the regex engine jumps from capital to capital instead of checking every character.
_FIRST = r"[A-Z](?<![\w'.][A-Z])"
_DASH = "\u2013\u2014\x96\x97"
# the state or country after a comma ("BOWLING GREEN, Ohio", "GOMA, Democratic Republic of Congo")
_STATE = r"(?:, [A-Z][\w.]*(?: (?:of |and |the )?[A-Z][\w.]*){0,3})?"
DATELINE = re.compile(rf"({_FIRST}{_AFTER_CAPITAL}(?:[ -]{_CAPITALS}){{0,3}}){_STATE}"
                      rf"(?: \([A-Za-z]{{2,10}}\))? ?(?:-{{2,3}}[ (]|-[ (]|[{_DASH}](?: |\(|(?=[A-Z])))")
# A dateline written in title case, as some papers do ("Albany — An Albany man", "Springfield, Ohio — After"):
# only with a long dash or two hyphens and a space after it, where a name of a person or a thing seldom
# stands ("Oh — and", "Keith Baskerville -- the").
TITLE_DATELINE = re.compile(rf"({_FIRST}[a-z]+(?: [A-Z][a-z]+){{0,2}}){_STATE} (?:--|[{_DASH}]) (?=[A-Z])")
# A US politician's party and home after the name ("Rep. Earl Pomeroy, D-N.D.", "Roberts (R-Ocilla)"): the
# state or town they represent. After a capitalised word (the name), not after any comma or bracket.
# (This pattern and the datelines' start a match only where a word starts: a run of thousands of capitals is
# read once, not once from each of its letters.)
PARTY_TAG = re.compile(r"[A-Z](?<![\w'-][A-Z])[\w'-]*(?:, | \()(?:D|R|I|DFL)-([A-Z][\w'.]*(?: [A-Z][\w'.]*){0,2})")
# A list of names closed by a plural division ("Douglas, Sarpy and Lancaster counties"): each is one.
# The list is read in the few words before the plural (`LIST_REACH` characters), so its cost is bounded.
PLURAL_DIVISION = re.compile(rf"\b(?:{'|'.join(PLURAL_DIVISIONS)})\b")
_LISTED = r"[A-Z][\w'.-]*(?: [A-Z][\w'.-]*){0,2}"
DIVISION_LIST = re.compile(rf"\b(?:{_LISTED}(?:,? (?:and|or|&) |, ))+{_LISTED} $")
LIST_REACH = 160

# A name of two words joined by a possessive ("Bishop's Stortford", "King's Lynn", "Lee's Summit"), which the NER
# cuts at the apostrophe and reads as a person or a body: a place when the gazetteer bears the whole as a main name.
POSSESSIVE_NAME = re.compile(r"[A-Z](?<![\w'’-][A-Z])[a-z]+['’]s [A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")

Spans = list[tuple[int, int]]


class Knows(Protocol):
    """Whether the gazetteer knows a name as a town or a division: by its main name, or by any name when
    `primary` is False (`KnownNames.town_or_division`)."""

    def __call__(self, name: str, *, primary: bool = True) -> bool: ...


class TextForms:
    """Reads the places a text's form names; `knows` checks each name."""

    def __init__(self, gazetteer: Gazetteer, knows: Knows):
        self.gazetteer = gazetteer
        self.knows = knows

    def spans(self, text: str) -> Spans:
        """The (start, end) of every name the text's form says is a place, in the order of the rules."""
        return [*self.datelines(text), *self.party_tags(text), *self.division_lists(text),
                *self.possessive_names(text)]

    def datelines(self, text: str) -> Spans:
        """Places named by a dateline (`DATELINE`, `TITLE_DATELINE`) that the gazetteer knows as a town or a
        division."""
        return [m.span(1) for pattern in (DATELINE, TITLE_DATELINE) for m in pattern.finditer(text)
                if sum(ch.isalpha() for ch in m.group(1)) >= 4 and _opens(text, m.start()) and self.knows(m.group(1))]

    def party_tags(self, text: str) -> Spans:
        """The state or town of a politician's party tag (`PARTY_TAG`), known as a town or division."""
        return [m.span(1) for m in PARTY_TAG.finditer(text) if self.knows(m.group(1), primary=False)]

    def possessive_names(self, text: str) -> Spans:
        """Names joined by a possessive (`POSSESSIVE_NAME`) that the gazetteer bears whole as a town's or a
        division's main name."""
        return [m.span() for m in POSSESSIVE_NAME.finditer(text) if self.knows(m.group())]

    def division_lists(self, text: str) -> Spans:
        """Each name of a list closed by a plural word for divisions ("counties", "regions": `DIVISION_LIST`)
        that names one."""
        spans = []
        for plural in PLURAL_DIVISION.finditer(text):
            listed = DIVISION_LIST.search(text, max(0, plural.start() - LIST_REACH), plural.start())
            word = PLURAL_DIVISIONS[plural.group()]
            for name in re.finditer(_LISTED, listed.group() if listed else ""):
                span = self._division_named(text, listed.start() + name.start(), listed.start() + name.end(), word)
                if span:
                    spans.append(span)
        return spans

    def _division_named(self, text: str, start: int, end: int, word: str) -> tuple[int, int] | None:
        """The words of a listed name that, with the division's word, name one ("Small Hitchcock" ->
        "Hitchcock" of Hitchcock County)."""
        for begin in [start, *(start + m.end() for m in re.finditer(" ", text[start:end]))]:
            if any(p.feature_class == "A" for p, _ in division_named(self.gazetteer, text[begin:end], word)):
                return begin, end
        return None


def _opens(text: str, start: int) -> bool:
    """Whether `start` opens the text, a line or a sentence, or follows a date's year ("March 29, 2009 PATASKALA")."""
    i = start
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    return i == 0 or text[i - 1] in "\n.!?\"\u201d" or (i >= 4 and text[i - 4:i].isdigit())
