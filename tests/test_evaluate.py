"""The evaluation command on a small gold corpus written here."""

import json

import pytest

from geodata.evaluate import MAX_ERROR_KM, auc_log_error, evaluate, gold_rows, load_corpus

from .conftest import run_cli

TEXT_A = "Shelling hit Aleppo and Damascus, Syrian officials said."
TEXT_B = "Officials in Paris met counterparts from Zqxwvland on Friday."


def toponym(text, surface, lat, lon, **extra):
    start = text.index(surface)
    return {"start": start, "end": start + len(surface), "surface": surface, "lat": lat, "lon": lon,
            "geonameid": None, **extra}


@pytest.fixture
def corpus(tmp_path):
    docs = [
        {"doc_id": "a", "text": TEXT_A, "toponyms": [
            toponym(TEXT_A, "Aleppo", 36.2, 37.16, gwn_type="Literal"),
            toponym(TEXT_A, "Damascus", 33.51, 36.29, gwn_type="Literal"),
            toponym(TEXT_A, "Syrian", 35.0, 38.0, gwn_type="Demonym"),
            toponym(TEXT_A, "Syrian", 35.0, 38.0, gwn_type="Demonym"),  # a duplicate span: counted once
            toponym(TEXT_A, "officials", None, None, gwn_type="Non_Toponym"),  # outside the gold set
        ]},
        {"doc_id": "b", "text": TEXT_B, "toponyms": [
            toponym(TEXT_B, "Paris", 48.85, 2.35, gwn_type="Literal"),
            toponym(TEXT_B, "Zqxwvland", 10.0, 10.0, gwn_type="Literal"),  # nowhere in the gazetteer
        ]},
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in docs) + "\n")
    return path


def test_gold_set_rules(corpus):
    docs = load_corpus(corpus)
    assert [len(d.gold) for d in docs] == [3, 2]
    syrian = [g for g in docs[0].gold if g.surface == "Syrian"][0]
    assert syrian.demonym and syrian.group == "associative"
    assert gold_rows({"text": "ab", "toponyms": [{"start": 0, "end": 1, "surface": "x"}]}) == []  # misaligned


def test_scores(pipeline, corpus):
    report = evaluate(pipeline, corpus, spans=True)
    det, e2e, res = report["detection"], report["end_to_end"], report["resolution"]
    assert det["gold"] == 5 and e2e["with_coordinates"] == 5
    # Aleppo, Damascus, Syrian and Paris are found and placed; the invented country is not placed
    assert e2e["end_to_end_161km"] == pytest.approx(4 / 5)
    assert det["recall"] >= 0.8 and det["precision"] > 0.5
    assert res["scored"] == 5 and res["accuracy_161km"] == pytest.approx(4 / 5)
    assert res["median_error_km"] == 0.0 or res["median_error_km"] < 50
    assert res["worst_errors"][0]["surface"] == "Zqxwvland"
    assert report["breakdown"]["demonyms"]["gold"] == 1


def test_auc_of_log_error():
    assert auc_log_error([0.0, 0.0]) == 0.0
    assert auc_log_error([MAX_ERROR_KM, MAX_ERROR_KM]) == pytest.approx(1.0)
    assert 0 < auc_log_error([0.0, 100.0, 1000.0]) < 1


def test_cli_writes_the_report(home, corpus, tmp_path):
    out = tmp_path / "report.json"
    result = run_cli("evaluate", str(corpus), "--spans", "--out", str(out), home=home)
    assert result.returncode == 0, result.stderr
    assert "detection" in result.stdout and "resolution" in result.stdout
    assert json.loads(out.read_text())["end_to_end"]["gold"] == 5
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x"}\nnot json\n')
    failed = run_cli("evaluate", str(bad), home=home)
    assert failed.returncode == 2 and f"{bad}:2" in failed.stderr and "Traceback" not in failed.stderr
