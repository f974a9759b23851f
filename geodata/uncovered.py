"""Names the NER read as nothing: capitalised runs outside its entities (`runs`: demonyms, famous places, towns
the words around them say are towns, divisions' everyday abbreviations), entities of a label that holds no place
that are a town's name misread (`misread`) or that ran on into one (`covers`: "In January, South Carolina"), and
lower-case words of nationality (`adjectives`)."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from .gazetteer import normalize
from .namereader import IGNORED_LABELS, NameReader
from .nlp import TextView, word_flags
from .records import GAZETTEER_LABEL, Candidate
from .spans import particle_joins


class Uncovered:
    """Reads the words outside the NER's entities, with the candidates' reader of the entities' (`NameReader`)."""

    def __init__(self, reader: NameReader):
        self.reader = reader
        self.names = reader.names
        self.rules = reader.rules
        self._capitalised: dict[int, bool] = {}  # a word form -> whether it is alphabetic and capitalised
        self._nationality: dict[int, bool] = {}  # a word form -> whether it is a lower-case word of nationality

    def misread(self, ent: Span) -> bool:
        """Whether an entity of a label that holds no place is a town's name the NER misread: one capitalised word
        that a notable town bears and no month or day ("in Turbat" read as a date, "Belgorod" as a language). Its
        words are read as those outside the entities are (`runs`)."""
        return self.rules.label(ent) in IGNORED_LABELS and len(ent) == 1 and ent[0].is_alpha and ent[0].is_title \
            and normalize(ent.text) not in self.rules.calendar and self.names.notable_town(ent.text)

    def covers(self, ent: Span) -> range:
        """The tokens of an entity that are not read as words outside the entities: none of a misread town's
        (`misread`); of a date the NER ran on into the capitalised name after its comma ("In January, South Carolina
        had", "In 1831, Elysian Fields became"), those up to the comma."""
        if self.misread(ent):
            return range(0)
        commas = [t.i for t in ent if t.text == ","]
        if commas and self.rules.label(ent) in IGNORED_LABELS and commas[-1] + 1 < ent.end and all(
                t.is_alpha and t.is_title and normalize(t.text) not in self.rules.calendar
                for t in ent.doc[commas[-1] + 1:ent.end]):
            return range(ent.start, commas[-1] + 1)
        return range(ent.start, ent.end)

    def runs(self, doc: Doc, view: TextView, covered: set[int], links: set[int], named: set[str]) -> list[Candidate]:
        """Demonyms and famous places the NER missed, in capitalised runs outside its entities, through the particles
        of a name ("Deir ez-Zor", `links`; "Mocimboa da Praia", `particle_joins`); `named`: the normalised names of
        the candidates found so far."""
        out, start, n = [], None, len(doc)
        capitalised = word_flags(doc, lambda word: word[:1].isupper() and word.isalpha(), self._capitalised)
        for i in range(n + 1):
            joined = i < n and start is not None and (i in links or particle_joins(doc, i))
            if i < n and i not in covered and (capitalised[i] or joined):
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
            town = self.reader.town_by_its_words(view, span) if self.names.town_or_division(span.text) else None
            return [town] if town else []  # "Kherson residents", "Aleppo was shelled", "Sake, 25 km west of Goma"
        doc = span.doc
        town = self.reader.town_by_its_words(view, span) or self._abbreviation(view, span)
        after = doc[span.end] if span.end < len(doc) else None
        found = [town] if town else self.reader.unless_street(view, span, after, self.reader.embedded(view, span))
        return [cand for cand in found if self._may_stand_alone(doc, cand, named)]

    def _abbreviation(self, view: TextView, span: Span) -> Candidate | None:
        """The gazetteer's candidate of a run that is a division's everyday abbreviation, past an article ("the
        ACT", `KnownNames.abbreviation`); None for another run."""
        cand = self.reader.make(view, span.start_char, span.end_char, GAZETTEER_LABEL)
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

    def adjectives(self, doc: Doc, view: TextView, covered: set[int]) -> list[Candidate]:
        """Lower-case words of nationality outside the NER's entities ("la frontière irakienne"): in
        languages that write them so (`LanguageRules.lowercase_demonyms`)."""
        nationality = word_flags(doc, lambda word: word.islower() and word.isalpha()
                                 and self.rules.demonym(word) is not None, self._nationality)
        words = [doc[i] for i, flag in enumerate(nationality) if flag and i not in covered]
        cands = [self.reader.make(view, t.idx, t.idx + len(t.text), GAZETTEER_LABEL) for t in words
                 if self.names.demonym_place(t.text)]
        return [cand for cand in cands if cand is not None]
