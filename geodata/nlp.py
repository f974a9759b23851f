"""The spaCy side of reading an article: the model loaded with only what we use, docs made in batches,
their sentences, and a doc's text read once."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

from .records import Document, Sentence

# A hyphen or a dash glued to an abbreviation's full stop is a token of its own ("U.S.-led", "U.K.-based",
# "Calif.--(BUSINESS WIRE)"): spaCy's own rules keep such a word whole, and the NER then reads no place in it.
ABBREVIATION_DASH = r"(?<=[A-Za-z]\.)(?:--|-)(?=[A-Za-z(])"
SENTER_PIPES = ("senter",)
UNUSED_PIPES = ("parser", "tagger", "morphologizer", "lemmatizer", "attribute_ruler")


@lru_cache(maxsize=2)
def load_nlp(model: str) -> Language:
    """The spaCy model with only what we use: tokens, NER and the fast sentence splitter. A shared
    `tok2vec` that none of those listens to (the English and French models' NER and senter embed their
    own) is removed: it would compute vectors nothing reads, a third of the English model's time."""
    try:
        nlp = spacy.load(model, exclude=list(UNUSED_PIPES))
    except OSError as exc:
        raise RuntimeError(f"spaCy model {model!r} is not installed (pip install -r requirements.txt)") from exc
    for pipe in SENTER_PIPES:
        if pipe in nlp.disabled:
            nlp.enable_pipe(pipe)
    if "tok2vec" in nlp.pipe_names and not nlp.get_pipe("tok2vec").listening_components:
        nlp.remove_pipe("tok2vec")
    nlp.tokenizer.infix_finditer = compile_infix_regex([*nlp.Defaults.infixes, ABBREVIATION_DASH]).finditer
    return nlp


def word_flags(doc: Doc, test: Callable[[str], bool], cache: dict[int, bool]) -> list[bool]:
    """For each token, whether its word passes `test`, worked out once per word form (`cache`: spaCy's orth
    id -> answer, kept by the caller across docs): reading every word without making a `Token` of each."""
    strings = doc.vocab.strings
    out = []
    for orth in doc.to_array(ORTH).tolist():
        flag = cache.get(orth)
        if flag is None:
            flag = cache[orth] = test(strings[orth])
        out.append(flag)
    return out


def sentences(doc: Doc) -> list[Sentence]:
    return [Sentence(i, s.start_char, s.end_char) for i, s in enumerate(doc.sents)]


@dataclass(frozen=True)
class TextView:
    """A document's text, read once (spaCy rebuilds `Doc.text` on every access), and its sentence starts."""

    text: str
    starts: tuple[int, ...]

    @classmethod
    def of(cls, doc: Doc, sents: list[Sentence], text: str | None = None) -> "TextView":
        """`text`: the doc's text, when the caller has read it already (spaCy builds it anew on every read)."""
        return cls(doc.text if text is None else text, tuple(s.start for s in sents) or (0,))

    def sentence_of(self, char: int) -> int:
        """Index of the sentence holding `char`."""
        return max(bisect_right(self.starts, char) - 1, 0)


def iter_docs(nlp: Language, documents: Iterable[Document], batch_size: int) -> Iterator[tuple[Document, Doc]]:
    """Run spaCy over documents in batches (streaming), pairing each record with its doc."""
    for doc, document in nlp.pipe(((d.text, d) for d in documents), batch_size=batch_size, as_tuples=True):
        yield document, doc
