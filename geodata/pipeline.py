"""`parse(documents) -> ParsedDocument`s and `ingest(documents, store)`: the one path the CLI, the
dashboard, evaluation and Dask use, wired once by `Pipeline.from_settings`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext

from .component import Geoparser
from .config import Settings
from .extract import iter_docs, load_nlp
from .gazetteer import Gazetteer, open_gazetteer
from .records import Document, ParsedDocument
from .resolve import Fallback
from .store import IngestReport, Store

Notify = Callable[[str], None]


class Pipeline:
    """The spaCy model and the geoparser component (gazetteer, resolver), loaded once for every batch.

    The model is shared by the pipelines of one process (`load_nlp`), so the component runs on its
    output here rather than being added to it; it is the same `Geoparser` that `nlp.add_pipe("geodata")`
    adds to a user's pipeline."""

    def __init__(self, settings: Settings, *, gazetteer: Gazetteer | None = None, fallback: Fallback | None = None,
                 progress: Notify = lambda message: None):
        self.settings = settings
        self.gazetteer = gazetteer or open_gazetteer(settings.gazetteer_path, progress=progress)
        self.nlp = load_nlp(settings.model)
        self.geoparser = Geoparser(self.gazetteer, fallback)

    @classmethod
    def from_settings(cls, settings: Settings, *, notify: Notify = lambda message: None,
                      readonly_gazetteer: bool = False,
                      wrap_fallback: Callable[[Fallback], Fallback] = lambda fallback: fallback) -> Pipeline:
        """The one wiring: the gazetteer (built on first use unless `readonly_gazetteer`), the online
        geocoder as fallback unless `settings.offline` (`wrap_fallback` may pace it), the spaCy model.
        `notify` hears the gazetteer's progress and the geocoder's once-only messages."""
        from .geocoder import make_geocoder  # geopy loads only for the callers that parse

        gazetteer = open_gazetteer(settings.gazetteer_path, progress=notify, readonly=readonly_gazetteer)
        geocoder = make_geocoder(settings, gazetteer, notify=notify)
        return cls(settings, gazetteer=gazetteer, fallback=wrap_fallback(geocoder) if geocoder else None)

    def parse(self, documents: Iterable[Document]) -> Iterator[ParsedDocument]:
        """Parse documents in spaCy batches, yielding results in input order. A title is geoparsed as a
        sentence of its document (`title_mentions`), unless gold spans say what to resolve."""
        docs = iter_docs(self.nlp, _with_titles(documents), self.settings.batch_size)
        for (_, title), (document, doc) in zip(docs, docs):
            found = self.geoparser.annotate(doc, document.spans, title)._.geodata
            yield ParsedDocument(document, found.sentences, found.mentions, found.title_mentions)


def _with_titles(documents: Iterable[Document]) -> Iterator[Document]:
    """Each document preceded by its title as a text of its own ("" when none is to be geoparsed)."""
    for document in documents:
        yield Document(document.id, document.title if document.title and document.spans is None else "")
        yield document


def ingest(documents: Sequence[Document], store: Store, pipeline: Pipeline | Callable[[], Pipeline], *,
           progress: Callable[[int, int], None] = lambda done, total: None,
           lock: AbstractContextManager | threading.Lock = nullcontext()) -> IngestReport:
    """Parse the documents whose text is not stored yet and store each as soon as it is parsed.

    `pipeline` may be a factory, called only when something is new (spaCy then loads only when needed);
    `progress(done, total)` follows the new ones; `lock` is held around each write (the dashboard's
    sessions share one store). A failed write raises `StoreError`; the articles before it stay stored."""
    fresh = [d for d in documents if not store.has_text(d.text)]
    report = IngestReport(skipped=len(documents) - len(fresh))
    if not fresh:
        return report
    parser = pipeline if isinstance(pipeline, Pipeline) else pipeline()
    for done, parsed in enumerate(parser.parse(fresh), start=1):
        with lock:
            report.count(parsed, store.add(parsed))
        progress(done, len(fresh))
    return report
