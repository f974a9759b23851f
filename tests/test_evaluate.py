"""The evaluation command on small gold corpora written here: scores, the development/test split,
calibration, and the breakdown of misses (with the fake Nominatim server for the online ceiling)."""

import json
from pathlib import Path

import pytest

from geodata.evaluation import (
    DEVELOPMENT,
    MAX_ERROR_KM,
    TEST,
    Calibration,
    auc_log_error,
    evaluate,
    gold_rows,
    load_corpus,
)
from geodata.evaluation.misses import GEONAMES_ONLY, MISPLACED, NO_PLACE, NOT_IN_GEONAMES, OURS
from geodata.gazetteer import open_gazetteer
from geodata.geocoder import Geocoder
from geodata.pipeline import Pipeline
from geodata.resolve import IN_ARTICLE_TOWN

from .conftest import copy_sqlite, run_cli
from .fake_nominatim import FAST, FakeNominatim, FakePlace, online

TEXT_A = "Shelling hit Aleppo and Damascus, Syrian officials said."
TEXT_B = "Officials in Paris met counterparts from Zqxwvland on Friday."
TEXT_C = "Farmers near Lubbock, Texas, waited for rain."
TEXT_D = "The mayor of Paris drove to Dallas, Texas, and on to Qwzvbrook."
PARIS_TEXAS = (33.66, -95.56)
TEXAS = (31.0, -97.5)


def toponym(text, surface, lat, lon, geonameid=None, **extra):
    start = text.index(surface)
    return {"start": start, "end": start + len(surface), "surface": surface, "lat": lat, "lon": lon,
            "geonameid": geonameid, **extra}


def write_corpus(path: Path, docs: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(d) for d in docs) + "\n")
    return path


@pytest.fixture
def corpus(tmp_path):
    return write_corpus(tmp_path / "gold.jsonl", [
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
    ])


@pytest.fixture
def split_corpus(tmp_path):
    """Four documents: lines 0 and 2 (development) are all placed; lines 1 and 3 (test) hold a name no
    source has, one only GeoNames has (its id), and a Paris the gold puts in Texas where the article
    does not say so (line 1; line 3's "Dallas, Texas" does)."""
    return write_corpus(tmp_path / "split.jsonl", [
        {"doc_id": "line0", "text": TEXT_A, "toponyms": [toponym(TEXT_A, "Aleppo", 36.2, 37.16, fclass="P"),
                                                         toponym(TEXT_A, "Damascus", 33.51, 36.29, fclass="P")]},
        {"doc_id": "line1", "text": TEXT_B, "toponyms": [toponym(TEXT_B, "Paris", *PARIS_TEXAS, fclass="P"),
                                                         toponym(TEXT_B, "Zqxwvland", 10.0, 10.0)]},
        {"doc_id": "line2", "text": TEXT_C, "toponyms": [toponym(TEXT_C, "Lubbock", 33.58, -101.86, fclass="P"),
                                                         toponym(TEXT_C, "Texas", *TEXAS, fclass="A")]},
        {"doc_id": "line3", "text": TEXT_D, "toponyms": [
            toponym(TEXT_D, "Paris", *PARIS_TEXAS, fclass="P"),
            toponym(TEXT_D, "Dallas", 32.78, -96.81, fclass="P"),
            toponym(TEXT_D, "Texas", *TEXAS, fclass="A"),
            toponym(TEXT_D, "Qwzvbrook", 41.0, -74.0, 987654321, fclass="P", fcode="PPLX")]},
    ])


def test_gold_set_rules(corpus):
    docs = load_corpus(corpus)
    assert [len(d.gold) for d in docs] == [3, 2]
    syrian = [g for g in docs[0].gold if g.surface == "Syrian"][0]
    assert syrian.demonym and syrian.group == "associative"
    assert gold_rows({"text": "ab", "toponyms": [{"start": 0, "end": 1, "surface": "x"}]}) == []  # misaligned


def test_halves_follow_the_line_numbers(tmp_path, split_corpus):
    assert [(d.document.id, d.line, d.half) for d in load_corpus(split_corpus)] == [
        ("line0", 0, DEVELOPMENT), ("line1", 1, TEST), ("line2", 2, DEVELOPMENT), ("line3", 3, TEST)]
    gappy = tmp_path / "gappy.jsonl"  # a blank line still counts: the split is by line, not by document
    gappy.write_text(split_corpus.read_text().replace("\n", "\n\n", 1))
    assert [d.line for d in load_corpus(gappy)] == [0, 2, 3, 4]


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
    # line 0 is the development half, line 1 the test half: the invented country is a test-half miss
    dev, test = report["halves"][DEVELOPMENT], report["halves"][TEST]
    assert (dev["documents"], test["documents"]) == (1, 1)
    assert dev["end_to_end"]["end_to_end_161km"] == 1.0 and test["end_to_end"]["end_to_end_161km"] == 0.5


def test_auc_of_log_error():
    assert auc_log_error([0.0, 0.0]) == 0.0
    assert auc_log_error([MAX_ERROR_KM, MAX_ERROR_KM]) == pytest.approx(1.0)
    assert 0 < auc_log_error([0.0, 100.0, 1000.0]) < 1


def test_expected_calibration_error_by_hand():
    calibration = Calibration()
    for confidence, right in ((0.95, True), (0.95, False), (0.3, True), (1.0, True)):
        calibration.add(confidence, right)
    bands = {b.label: (b.placements, b.right) for b in calibration.bands}
    assert bands["[0.9,1.0]"] == (3, 2) and bands["[0.2,0.4)"] == (1, 1) and calibration.placements == 4
    # 3/4 * |2/3 - 0.9667| + 1/4 * |1 - 0.3|
    assert calibration.ece() == pytest.approx(0.75 * abs(2 / 3 - 2.9 / 3) + 0.25 * 0.7)
    assert calibration.high() == (2, 3)


def test_cli_reports_halves_and_calibration(home, pipeline, split_corpus, tmp_path):
    out = tmp_path / "report.json"
    result = run_cli("evaluate", str(split_corpus), "--out", str(out), home=home)
    assert result.returncode == 0, result.stderr
    for words in ("development", "test", "whole", "ECE", "[0.9,1.0]", "misses, test half"):
        assert words in result.stdout
    report = json.loads(out.read_text())
    dev, test = report["halves"][DEVELOPMENT], report["halves"][TEST]
    assert (dev["documents"], test["documents"], report["documents"]) == (2, 2, 4)
    assert dev["end_to_end"]["end_to_end_161km"] == 1.0  # every development toponym placed
    assert report["end_to_end"]["with_coordinates"] == 10  # the whole stays at the top level, as before
    assert dev["detection"]["gold"] + test["detection"]["gold"] == report["detection"]["gold"]

    # ECE recomputed by hand from the same pipeline's mentions
    parsed = {p.document.id: p for p in pipeline.parse(d.document for d in load_corpus(split_corpus))}
    judged = []
    for doc in load_corpus(split_corpus):
        for m in parsed[doc.document.id].mentions:
            golds = [g for g in doc.gold if g.start < m.end and m.start < g.end]
            if m.place is not None and golds:
                # line 1's Paris is placed wrong, and the invented names lie far from their articles' towns
                right = (m.text, doc.document.id) != ("Paris", "line1") and m.reason != IN_ARTICLE_TOWN
                judged.append((doc.half, m.confidence, right))
    for half, part in ((DEVELOPMENT, dev), (TEST, test)):
        mine = [(c, r) for h, c, r in judged if h == half]
        calibration = part["calibration"]
        assert calibration["placements"] == len(mine)
        assert sum(b["right"] for b in calibration["bands"]) == sum(r for _, r in mine)
        by_band: dict[int, list[tuple[float, bool]]] = {}
        for c, r in mine:
            by_band.setdefault(min(int(c * 5) if c < 0.8 else 4 + (c >= 0.9), 5), []).append((c, r))
        ece = sum(abs(sum(r for _, r in items) - sum(c for c, _ in items)) for items in by_band.values()) / len(mine)
        assert calibration["ece"] == pytest.approx(ece, abs=1e-4)
    assert test["calibration"]["ece"] > 0  # a wrong Paris


def test_misses_by_source(home, pipeline, split_corpus):
    report = evaluate(pipeline, split_corpus)
    misses = report["halves"][TEST]["misses"]
    assert report["halves"][DEVELOPMENT]["misses"]["misses"] == 0
    assert misses["examples"][NOT_IN_GEONAMES] == ["Zqxwvland"]
    assert misses["by_source"][NOT_IN_GEONAMES][NO_PLACE] == 1
    assert misses["examples"][GEONAMES_ONLY] == ["Qwzvbrook"]
    assert misses["gold_features_not_in_our_gazetteer"] == {"P.PPLX": 1}
    assert misses["by_source"][OURS] == {"misses": 1, "not detected": 0, NO_PLACE: 0, MISPLACED: 1}  # Paris
    assert misses["ceiling_geonames_dump"] == 1
    assert misses["ceiling_online_geocoder"] == misses["by_outcome"][NO_PLACE] >= 1


def test_the_online_ceiling_is_what_the_geocoder_recovers(settings, gazetteer, split_corpus, tmp_path):
    """The fake Nominatim knows every test-half gold name at its gold point: what the online geocoder
    then recovers is exactly the misses detected and left with no place."""
    offline = evaluate(Pipeline(settings, gazetteer=gazetteer), split_corpus)["halves"][TEST]
    copy = open_gazetteer(copy_sqlite(gazetteer.path, tmp_path / "gazetteer.sqlite"))
    names = [g for d in load_corpus(split_corpus) if d.half == TEST for g in d.gold]
    with FakeNominatim(FakePlace(g.surface, g.lat, g.lon, country="US" if g.lon < 0 else "FR")
                       for g in names) as server:
        config = online(settings, server.url)
        pipeline = Pipeline(config, gazetteer=copy, fallback=Geocoder(config, copy, retry=FAST))
        recovered = evaluate(pipeline, split_corpus)["halves"][TEST]
        asked = {r.params["q"] for r in server.search_requests()}
    copy.close()
    ceiling = offline["misses"]["ceiling_online_geocoder"]
    assert ceiling >= 1 and "Zqxwvland" in asked
    assert recovered["misses"]["misses"] == offline["misses"]["misses"] - ceiling
    assert recovered["misses"]["by_outcome"][NO_PLACE] == 0


def test_cli_writes_the_report(home, corpus, tmp_path):
    out = tmp_path / "report.json"
    result = run_cli("evaluate", str(corpus), "--spans", "--out", str(out), home=home)
    assert result.returncode == 0, result.stderr
    assert "detection" in result.stdout and "resolution" in result.stdout
    report = json.loads(out.read_text())
    assert report["end_to_end"]["gold"] == 5 and report["halves"][TEST]["resolution"]["scored"] == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x"}\nnot json\n')
    failed = run_cli("evaluate", str(bad), home=home)
    assert failed.returncode == 2 and f"{bad}:2" in failed.stderr and "Traceback" not in failed.stderr
