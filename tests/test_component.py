"""The geoparser as a spaCy component (`nlp.add_pipe("geodata")`), as the README shows it, on the seed;
and the same component is what `Pipeline` runs: both give the same mentions."""

from __future__ import annotations

from dataclasses import replace

import spacy

from geodata.documents import load_paths
from geodata.nlp import SENTER_PIPES, UNUSED_PIPES, load_nlp
from tests.conftest import SEED


def test_the_readme_snippet_on_the_seed(settings, pipeline) -> None:
    text = load_paths([SEED]).documents[0].text
    nlp = spacy.load(settings.model)
    nlp.add_pipe("geodata", config={"gazetteer_path": str(settings.gazetteer_path)})
    doc = nlp(text)
    spans = list(doc.spans["toponyms"])
    baghouz = [s for s in spans if s.text == "Baghouz"]
    assert baghouz and all(s._.place.name == "Al-Baghuz Fawqani" and s._.kind == "toponym" for s in baghouz)
    assert all(0.0 <= s._.confidence <= 1.0 for s in spans)
    assert {s._.place.name for s in spans if s._.kind == "demonym"} >= {"Iraq"}
    assert [(m.start, m.end) for m in doc._.geodata.mentions] == [(s.start_char, s.end_char) for s in spans]


def test_pipeline_and_component_are_one_path(settings, pipeline) -> None:
    document = load_paths([SEED]).documents[0]
    nlp = spacy.load(settings.model, exclude=list(UNUSED_PIPES))  # as the Pipeline loads it
    for pipe in SENTER_PIPES:
        nlp.enable_pipe(pipe)
    nlp.add_pipe("geodata", config={"gazetteer_path": str(settings.gazetteer_path)})
    found = nlp(document.text)._.geodata
    (parsed,) = pipeline.parse([replace(document, title=None)])  # a bare text: no title to read with it
    assert found.mentions == parsed.mentions and found.sentences == parsed.sentences


def test_the_pipeline_runs_only_the_pipes_it_reads(settings) -> None:
    """`load_nlp` leaves out the pipes nothing reads (a shared tok2vec that NER and senter do not listen
    to): the entities are the full model's, the sentences the senter's."""
    nlp = load_nlp(settings.model)
    assert set(nlp.pipe_names) == {"senter", "ner"}
    text = load_paths([SEED]).documents[0].text
    full = spacy.load(settings.model)
    assert [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents] == [
        (e.start_char, e.end_char, e.label_) for e in full(text).ents]
    senter = spacy.load(settings.model, exclude=list(UNUSED_PIPES))
    senter.enable_pipe("senter")
    assert [s.start_char for s in nlp(text).sents] == [s.start_char for s in senter(text).sents]
