"""`parse(documents) -> ParsedDocument`s and `ingest(documents, store)`: the one path the CLI, the
dashboard, evaluation and Dask use, wired once by `Pipeline.from_settings`.

Each article is read in its language (`language.language_of`: declared, else detected): English and
French by their own spaCy model and rules; another language is not geoparsed (its text is split into
sentences by the default language's model, so the store keeps and searches it; no mentions)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from itertools import groupby, tee
from pathlib import Path

from spacy.language import Language

from .component import Geoparse, Geoparser, Read
from .config import Settings
from .extract import rules_for
from .gazetteer import Gazetteer, open_gazetteer
from .language import DEFAULT, SUPPORTED, language_of
from .nlp import iter_docs, load_nlp, sentences
from .records import Document, ParsedDocument
from .resolve import Fallback
from .resolve.context import Division
from .resolve.outlet import HOME_CONFIDENCE, OutletHomes, Placement, outlet_host, placements, told
from .store import IngestReport, Store

Notify = Callable[[str], None]


@dataclass(frozen=True)
class Reading:
    """One article of a collection as `read_together` read it: its place in the input (`index`), the result, the
    home it was resolved with, and the divisions its first reading tells its outlet's home is in (`outlet.told`:
    what a Dask partition keeps, so that the client can settle homes across partitions)."""

    index: int
    parsed: ParsedDocument
    home: Division | None
    told: frozenset[Division]


class Pipeline:
    """A spaCy model and a geoparser component (gazetteer, resolver) per language, each loaded when
    the first article in that language comes, then kept for every batch.

    The models are shared by the pipelines of one process (`load_nlp`), so the component runs on their
    output here rather than being added to them; it is the same `Geoparser` that `nlp.add_pipe("geodata")`
    adds to a user's pipeline."""

    def __init__(self, settings: Settings, *, gazetteer: Gazetteer | None = None, fallback: Fallback | None = None,
                 progress: Notify = lambda message: None, explain: bool = False):
        self.settings = settings
        self.gazetteer = gazetteer or open_gazetteer(settings.gazetteer_path, progress=progress)
        self.fallback = fallback
        self.explain = explain  # each mention says why it got its place (`parse --explain`)
        self._models: dict[str, Language] = {}
        self._geoparsers: dict[str, Geoparser] = {}

    @classmethod
    def from_settings(cls, settings: Settings, *, notify: Notify = lambda message: None,
                      readonly_gazetteer: bool = False, gazetteer_path: Path | None = None,
                      wrap_fallback: Callable[[Fallback], Fallback] = lambda fallback: fallback,
                      explain: bool = False) -> Pipeline:
        """The one wiring: the gazetteer (`gazetteer_path`, default GEODATA_HOME's; built on first use
        unless `readonly_gazetteer`), the online geocoder as fallback unless `settings.offline`
        (`wrap_fallback` may pace it); the spaCy models load when first needed. `notify` hears the
        gazetteer's progress and the geocoder's once-only messages; `explain`: see `Pipeline`."""
        from .geocoder import make_geocoder  # geopy loads only for the callers that parse

        gazetteer = open_gazetteer(gazetteer_path or settings.gazetteer_path, progress=notify,
                                   readonly=readonly_gazetteer)
        geocoder = make_geocoder(settings, gazetteer, notify=notify)
        return cls(settings, gazetteer=gazetteer, fallback=wrap_fallback(geocoder) if geocoder else None,
                   explain=explain)

    def nlp_for(self, language: str) -> Language:
        """The spaCy model for `language` (`Settings.model_for`), loaded on first use."""
        name = self.settings.model_for(language)
        if name not in self._models:
            self._models[name] = load_nlp(name)
        return self._models[name]

    @property
    def models_loaded(self) -> tuple[str, ...]:
        """The names of the spaCy models this pipeline has loaded so far."""
        return tuple(self._models)

    @property
    def nlp(self) -> Language:
        """The default language's model."""
        return self.nlp_for(DEFAULT)

    def geoparser_for(self, language: str) -> Geoparser:
        """The geoparser of a geoparsed language, made on first use. A language other than the default
        reads the gazetteer's view that also holds its names."""
        if language not in SUPPORTED:
            raise ValueError(f"language {language!r} is not geoparsed (only {', '.join(SUPPORTED)})")
        if language not in self._geoparsers:
            gazetteer = self.gazetteer if language == DEFAULT else self.gazetteer.in_language(language)
            geoparser = Geoparser(gazetteer, self.fallback, rules_for(language))
            geoparser.resolver.explain = self.explain
            self._geoparsers[language] = geoparser
        return self._geoparsers[language]

    @property
    def geoparser(self) -> Geoparser:
        """The default language's geoparser."""
        return self.geoparser_for(DEFAULT)

    def parse(self, documents: Iterable[Document]) -> Iterator[ParsedDocument]:
        """Parse documents in spaCy batches, yielding results in input order; consecutive documents in one
        language go to its model together. A title is geoparsed as a sentence of its document
        (`title_mentions`), unless gold spans say what to resolve. Each article is read alone (`read_together`
        reads a collection)."""
        return self.parse_at_home((document, None) for document in documents)

    def parse_at_home(self, documents: Iterable[tuple[Document, Division | None]]) -> Iterator[ParsedDocument]:
        """`parse`, each article with the home given beside it (`outlet.py`; None: none), as a collection read
        together would resolve it: what Dask's client settles across partitions."""
        return (parsed for parsed, _ in self._parse(documents))

    def parse_together(self, documents: Sequence[Document]) -> list[ParsedDocument]:
        """Parse articles read as one collection (a corpus), in input order (`read_together`)."""
        return [r.parsed for r in sorted(self.read_together(documents), key=lambda reading: reading.index)]

    def read_together(self, documents: Sequence[Document], known: Iterable[Placement] = ()) -> Iterator[Reading]:
        """Parse articles read as one collection, each with the home its outlet's other articles settle, here or
        among `known` (a store's placements: `OutletHomes`; an article is known by its address, so that its own
        placements, or an earlier version's, never settle its home); each `Reading` as soon as it is final. An
        article with no other of its outlet here is parsed with `known`'s homes and comes at once; the others come
        after them, once all are parsed: then those whose home the collection settles are resolved again (what the
        extractor read, and the online geocoder's answers, are kept: the model runs once)."""
        before = OutletHomes(known)
        hosts = [outlet_host(d.url) for d in documents]
        here = Counter(hosts)
        together = [i for i, host in enumerate(hosts) if host and here[host] > 1]
        alone = [i for i, host in enumerate(hosts) if not (host and here[host] > 1)]
        at_first = [before.home(d.url) for d in documents]  # the home each is first read with
        for i, (parsed, _) in zip(alone, self._parse((documents[i], at_first[i]) for i in alone)):
            yield Reading(i, parsed, at_first[i], told(parsed))
        first = list(self._parse((documents[i], at_first[i]) for i in together))
        homes = before.extended(placements(parsed for parsed, _ in first))
        for i, (parsed, read) in zip(together, first):
            document, tells = documents[i], told(parsed)
            home = homes.home(document.url)
            if read is not None and home != at_first[i]:
                found = self.geoparser_for(parsed.language).resolve(read, document.url, home)
                parsed = _parsed(document, found, parsed.language)
            yield Reading(i, parsed, home, tells)

    def _parse(self, documents: Iterable[tuple[Document, Division | None]]
               ) -> Iterator[tuple[ParsedDocument, Read | None]]:
        """`parse_at_home`, each result with what the extractor read (None for a language not geoparsed)."""
        read = ((pair, language_of(pair[0].text, pair[0].title, pair[0].language)) for pair in documents)
        for language, run in groupby(read, key=lambda item: item[1]):
            yield from self._parse_run((pair for pair, _ in run), language)

    def _parse_run(self, documents: Iterable[tuple[Document, Division | None]],
                   language: str) -> Iterator[tuple[ParsedDocument, Read | None]]:
        """Documents in one language, each with its home: geoparsed if it is supported, else only split into
        sentences (streaming: the homes follow the model's batches)."""
        nlp = self.nlp_for(language)
        if language not in SUPPORTED:
            for document, doc in iter_docs(nlp, (document for document, _ in documents), self.settings.batch_size):
                yield ParsedDocument(document, sentences(doc), language=language), None
            return
        geoparser = self.geoparser_for(language)
        texts, homes = tee(documents)
        docs = iter_docs(nlp, _with_titles(document for document, _ in texts), self.settings.batch_size)
        for ((_, title), (document, doc)), (_, home) in zip(zip(docs, docs), homes):
            read = geoparser.read(doc, document.spans, title, text=document.text)
            yield _parsed(document, geoparser.resolve(read, document.url, home), language), read


def _parsed(document: Document, found: Geoparse, language: str) -> ParsedDocument:
    return ParsedDocument(document, found.sentences, found.mentions, found.title_mentions, language, found.dropped)


def _with_titles(documents: Iterable[Document]) -> Iterator[Document]:
    """Each document preceded by its title as a text of its own ("" when none is to be geoparsed)."""
    for document in documents:
        yield Document(document.id, document.title if document.title and document.spans is None else "")
        yield document


def ingest(documents: Sequence[Document], store: Store, pipeline: Pipeline | Callable[[], Pipeline], *,
           progress: Callable[[int, int], None] = lambda done, total: None,
           lock: AbstractContextManager | threading.Lock = nullcontext()) -> IngestReport:
    """Parse the documents whose text is not stored yet and store each as soon as it is final: read together
    with the stored ones (`Pipeline.read_together`), so that each is read with its outlet's home (`OutletHomes`)
    as the stored articles, as corrected, and the new ones settle it; those read with others of their outlet
    are stored after the rest.

    `pipeline` may be a factory, called only when something is new (spaCy then loads only when needed);
    `progress(done, total)` follows the new ones as they are stored; `lock` is held around each write (the dashboard's
    sessions share one store). A failed write raises `StoreError`; the articles before it stay stored."""
    fresh = [d for d in documents if not store.has_text(d.text)]
    report = IngestReport(skipped=len(documents) - len(fresh))
    if not fresh:
        return report
    parser = pipeline if isinstance(pipeline, Pipeline) else pipeline()
    outlets = {outlet for d in fresh if (outlet := outlet_host(d.url)) is not None}
    known = store.outlet_placements(HOME_CONFIDENCE, outlets, outlet_host)  # the stored articles of these outlets
    for done, reading in enumerate(parser.read_together(fresh, known), start=1):
        with lock:
            report.count(reading.parsed, store.add(reading.parsed))
        progress(done, len(fresh))
    return report
