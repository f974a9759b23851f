"""`parse(documents) -> ParsedDocument`s: the one path the CLI, dashboard, evaluation and Dask use."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from .config import Settings
from .extract import Extractor, iter_docs, load_nlp, sentences
from .gazetteer import Gazetteer, open_gazetteer
from .records import Document, ParsedDocument
from .resolve import Fallback, Resolver


class Pipeline:
    """spaCy model, gazetteer and resolver, loaded once and reused for every batch."""

    def __init__(self, settings: Settings, *, gazetteer: Gazetteer | None = None, fallback: Fallback | None = None,
                 progress: Callable[[str], None] = lambda message: None):
        self.settings = settings
        self.gazetteer = gazetteer or open_gazetteer(settings.gazetteer_path, progress=progress)
        self.nlp = load_nlp(settings.model)
        self.extractor = Extractor(self.gazetteer)
        self.resolver = Resolver(self.gazetteer, fallback)

    def parse(self, documents: Iterable[Document]) -> Iterator[ParsedDocument]:
        """Parse documents in spaCy batches, yielding results in input order."""
        for document, doc in iter_docs(self.nlp, documents, self.settings.batch_size):
            sents = sentences(doc)
            if document.spans is not None:
                cands = self.extractor.gold(doc, sents, document.spans)
            else:
                cands = self.extractor.candidates(doc, sents)
            yield ParsedDocument(document, sents, self.resolver.resolve(document.text, cands))
