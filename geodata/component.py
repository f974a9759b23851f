"""The geoparser as a spaCy pipeline component: `nlp.add_pipe("geodata")` after the NER.

It writes the toponyms to `doc.spans["toponyms"]`, each span with `span._.place` (a `Place` or
None), `span._.confidence` and `span._.kind` ("toponym" or "demonym"), and the exact records to
`doc._.geodata` (`Geoparse`: sentences and mentions, character offsets as the parse output has
them). `Pipeline` runs this same component on every document (`Geoparser.geoparse`, which only
returns the records), so there is one path for both; it also hands over the document's title, whose
toponyms are resolved with the text's (`title_mentions`).

The factory is registered under spaCy's `spacy_factories` entry point (pyproject.toml), so
`nlp.add_pipe("geodata")` works without importing geodata first. It reads the doc in the pipeline's
language (`nlp.lang`: English or French rules, `rules.py`), wired by `Pipeline.from_settings`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from .config import Settings
from .extract import Extractor
from .gazetteer import Gazetteer
from .nlp import sentences
from .records import TITLE_SENTENCE, Candidate, Dropped, Mention, Place, Sentence
from .resolve import Division, Fallback, Resolver
from .rules import ENGLISH, LanguageRules

SPANS_KEY = "toponyms"
TITLE_SEPARATOR = "\n.\n"  # between the text and its title while resolving: no qualifier reads across it


@dataclass(frozen=True)
class Geoparse:
    """What the component found in one doc."""

    sentences: list[Sentence]
    mentions: list[Mention]
    title_mentions: list[Mention] = field(default_factory=list)  # offsets into the title
    dropped: list[Dropped] = field(default_factory=list)  # names in the text dropped as no place, and why


@dataclass(frozen=True)
class Read:
    """A doc as the extractor read it (`Geoparser.read`): its candidates, the text they are resolved in (the title
    after the text, `TITLE_SEPARATOR` between), where the title starts in it, and the names dropped; and, once
    resolved, what the online geocoder answered for its names, which a second resolution reuses."""

    sentences: list[Sentence]
    text: str
    cands: list[Candidate]
    shift: int
    dropped: list[Dropped]
    answers: dict[str, Place | None] = field(default_factory=dict)  # the online geocoder's, by name: asked once


def _register_extensions() -> None:
    for name in ("place", "confidence", "kind"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)
    if not Doc.has_extension("geodata"):
        Doc.set_extension("geodata", default=None)


class Geoparser:
    """Finds the toponym candidates of a doc (NER, demonyms, gazetteer checks) and resolves them;
    `rules`: the language the docs are in."""

    def __init__(self, gazetteer: Gazetteer, fallback: Fallback | None = None,
                 rules: LanguageRules = ENGLISH) -> None:
        _register_extensions()
        self.gazetteer = gazetteer
        self.rules = rules
        self.extractor = Extractor(gazetteer, rules)
        self.resolver = Resolver(gazetteer, fallback)

    def __call__(self, doc: Doc) -> Doc:
        return self.annotate(doc)

    def annotate(self, doc: Doc, gold_spans: tuple[tuple[int, int], ...] | None = None,
                 title: Doc | None = None, url: str | None = None) -> Doc:
        """`geoparse` the doc and write what it found onto it: `doc._.geodata` and `doc.spans`."""
        found = doc._.geodata = self.geoparse(doc, gold_spans, title, url)
        doc.spans[SPANS_KEY] = [span for m in found.mentions if (span := self._span(doc, m)) is not None]
        return doc

    def geoparse(self, doc: Doc, gold_spans: tuple[tuple[int, int], ...] | None = None,
                 title: Doc | None = None, url: str | None = None, *, text: str | None = None,
                 home: Division | None = None) -> Geoparse:
        """Find and resolve the doc's toponyms (`read`, then `resolve`); `url`: the article's address, `home`: the
        division its outlet's other articles are about (`resolve.outlet.OutletHomes`)."""
        return self.resolve(self.read(doc, gold_spans, title, text=text), url, home)

    def read(self, doc: Doc, gold_spans: tuple[tuple[int, int], ...] | None = None, title: Doc | None = None, *,
             text: str | None = None) -> Read:
        """Find the doc's toponym candidates (or take `gold_spans`, offsets given by a corpus). `title`: the
        document's title parsed by the same model, one sentence of the article (`TITLE_SENTENCE`): its
        toponyms are resolved together with the text's, each reading the other as context. `text`: the
        doc's text, when the caller has it (spaCy builds `Doc.text` anew on every read)."""
        sents = sentences(doc)
        text = doc.text if text is None else text
        if gold_spans is not None:
            cands, dropped = self.extractor.gold(doc, sents, gold_spans), []
        else:
            cands, dropped = self.extractor.read(doc, sents, text)
        shift = len(text) + len(TITLE_SEPARATOR)
        title_text = title.text if title is not None else ""
        if title_text.strip():  # resolved as if it followed the text, then moved back
            text += TITLE_SEPARATOR + title_text
            cands = [*cands, *(replace(c, start=c.start + shift, end=c.end + shift, sentence=TITLE_SENTENCE)
                               for c in self.extractor.candidates(title, sentences(title), title_text))]
        return Read(sents, text, cands, shift, dropped)

    def resolve(self, read: Read, url: str | None = None, home: Division | None = None) -> Geoparse:
        """Resolve what `read` found: a doc read once may be resolved again with its outlet's home."""
        found = self.resolver.resolve(read.text, read.cands, url, home, read.answers)
        mentions = [m for m in found if m.sentence != TITLE_SENTENCE]
        in_title = [replace(m, start=m.start - read.shift, end=m.end - read.shift)
                    for m in found if m.sentence == TITLE_SENTENCE]
        return Geoparse(read.sentences, mentions, in_title, read.dropped)

    @staticmethod
    def _span(doc: Doc, mention: Mention) -> Span | None:
        """The mention as a span of whole tokens (its exact characters are in `doc._.geodata`)."""
        span = doc.char_span(mention.start, mention.end, label=mention.label, alignment_mode="expand")
        if span is not None:
            span._.place, span._.confidence, span._.kind = mention.place, mention.confidence, mention.kind
        return span


@Language.factory("geodata", default_config={"gazetteer_path": None, "offline": True})
def make_geoparser(nlp: Language, name: str, gazetteer_path: str | None, offline: bool) -> Geoparser:
    """`gazetteer_path`: the gazetteer file (default: GEODATA_HOME's; built on first use). `offline`:
    False adds the online geocoder as fallback (as configured by GEODATA_GEOCODER etc.). The pipeline's
    language (`nlp.lang`) must be one geoparsed (`language.SUPPORTED`)."""
    from .pipeline import Pipeline  # the one wiring; it imports this module

    settings = Settings().with_(offline=offline)
    pipeline = Pipeline.from_settings(settings, gazetteer_path=Path(gazetteer_path) if gazetteer_path else None)
    return pipeline.geoparser_for(nlp.lang)
