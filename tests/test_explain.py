"""`parse --explain`: besides why each mention got its place, the names the extractor dropped as no
place in the article, with the evidence (real model, real gazetteer, the real command)."""

from __future__ import annotations

import json

from geodata.nlp import sentences
from geodata.records import Document

from .conftest import run_cli

TEXT = ("Typhoon Mangkhut hit the Philippines on Saturday. China's official Xinhua News Agency said it then "
        "moved towards Hong Kong.")


def test_extractor_reads_candidates_and_dropped_names_apart(pipeline):
    doc = pipeline.nlp(TEXT)
    extractor = pipeline.geoparser.extractor
    kept, dropped = extractor.read(doc, sentences(doc))
    assert kept == extractor.candidates(doc, sentences(doc))
    assert {"Philippines", "Hong Kong"} <= {c.text for c in kept}
    by_text = {d.text: d for d in dropped}
    assert {"Typhoon Mangkhut", "Xinhua"} <= set(by_text)
    assert all(TEXT[d.start:d.end] == d.text for d in dropped)
    assert by_text["Typhoon Mangkhut"].reasons == ("storm word 'Typhoon' starts it",)
    assert any("organisation word 'News Agency'" in reason for reason in by_text["Xinhua"].reasons)
    assert not {(c.start, c.end) for c in kept} & {(d.start, d.end) for d in dropped}
    (parsed,) = pipeline.parse([Document("storm", TEXT)])  # what the parse carries to its output
    assert parsed.dropped == dropped


def test_parse_explain_lists_dropped_names_with_their_evidence(home, tmp_path):
    source = tmp_path / "storm.jsonl"
    french = {"id": "fr", "language": "fr", "text": "Les civils ont quitté Baghouz, dans l'est de la Syrie."}
    source.write_text(json.dumps({"id": "storm", "text": TEXT}) + "\n" + json.dumps(french) + "\n", encoding="utf-8")
    result = run_cli("parse", str(source), "--explain", home=home)
    assert result.returncode == 0, result.stderr
    out, out_fr = [json.loads(line) for line in result.stdout.splitlines()]
    assert {"Baghouz", "Syrie"} <= {m["text"] for m in out_fr["mentions"]}
    assert all(m["explain"] for m in out_fr["mentions"])  # every language's mentions are explained
    shown = [m["text"] for m in out["mentions"]]
    assert "Hong Kong" in shown and "Xinhua" not in shown and "Typhoon Mangkhut" not in shown
    dropped = {(d["start"], d["end"]): d for d in out["dropped"]}
    at = TEXT.index("Xinhua")
    xinhua = dropped[at, at + len("Xinhua")]
    assert xinhua["text"] == "Xinhua" and xinhua["sentence"] == 1 and xinhua["label"]
    assert any("organisation word 'News Agency'" in reason for reason in xinhua["reasons"])  # the evidence, in words
    assert dropped[0, len("Typhoon Mangkhut")]["reasons"] == ["storm word 'Typhoon' starts it"]
    plain = run_cli("parse", str(source), home=home)
    assert plain.returncode == 0, plain.stderr
    assert all("dropped" not in json.loads(line) for line in plain.stdout.splitlines())  # only with --explain
