"""The confidence calibration: the isotonic fit, the shipped table, and its use by the resolver."""

from __future__ import annotations

from pathlib import Path

import pytest

from geodata.component import Geoparser
from geodata.resolve.calibration import (CALIBRATION_CSV, RAW, Block, CalibrationError, ConfidenceMap, bins, fit,
                                         isotonic, read, shipped)
from geodata.resolve import UNSUPPORTED_CONFIDENCE
from geodata.resolve.outcomes import (ARTICLE_TOWN, BEST, COUNTRY_TOWN, COUNTRY_TOWN_CONFIDENCE, NAMED_AFTER,
                                      PLACE_SAID, RIVER, SET_CONFIDENCE, UNSUPPORTED, UNSUPPORTED_TOWN)


def test_isotonic_pools_adjacent_violators():
    # shares 0.2, 0.6, 0.4, 0.9, 0.1 (weights 1, 1, 1, 2, 2): 0.6 > 0.4 pool to 0.5; then 0.9 > 0.1 pool to
    # 0.5, equal to the block before, so those pool too: 0.2 | 0.5 (weight 6)
    blocks = [Block(1, 0.1, 0.2), Block(1, 0.2, 0.6), Block(1, 0.3, 0.4), Block(2, 0.8, 1.8), Block(2, 1.8, 0.2)]
    out = isotonic(blocks)
    assert [(b.weight, round(b.share, 6)) for b in out] == [(1, 0.2), (6, 0.5)]
    assert round(out[1].raw, 6) == round((0.2 + 0.3 + 0.8 + 1.8) / 6, 6)
    assert blocks[1].weight == 1  # the input is not changed


def test_isotonic_keeps_an_increasing_sequence():
    blocks = [Block(1, 0.1, 0.1), Block(1, 0.5, 0.5), Block(1, 0.9, 0.95)]
    assert [b.share for b in isotonic(blocks)] == [0.1, 0.5, 0.95]


def test_bins_have_equal_weight_and_keep_equal_values_together():
    obs = [(0.1, False, 1.0), (0.2, True, 1.0), (0.3, True, 1.0), (0.3, False, 1.0), (0.3, True, 1.0),
           (0.9, True, 1.0), (1.0, True, 1.0)]
    out = bins(obs, 3)
    # a bin is full at 7/3: 0.1 0.2 0.3 would do, but the other two 0.3 join it; 0.9 1.0 make the last
    assert [b.weight for b in out] == [5.0, 2.0]
    assert out[0].right_sum == 3.0 and out[1].right_sum == 2.0


def test_fit_is_monotone_and_pools_where_the_data_falls():
    # raw 0.2 right 3 of 4, raw 0.5 right 1 of 4 (a violation), raw 0.9 right 4 of 4
    obs = [(0.2, r, 1.0) for r in (1, 1, 1, 0)] + [(0.5, r, 1.0) for r in (1, 0, 0, 0)] + [(0.9, True, 1.0)] * 4
    conf_map = fit(obs, 3)
    assert conf_map.knots == ((0.35, 0.5), (0.9, 1.0))
    assert conf_map(0.0) == 0.5 and conf_map(1.0) == 1.0  # flat beyond the ends
    assert conf_map(0.625) == pytest.approx(0.75)  # linear between knots


def test_fit_weights_count():
    # one corpus's wrong placements weigh three times the other's right ones
    obs = [(0.5, False, 3.0), (0.5, True, 1.0)]
    assert fit(obs, 1).knots == ((0.5, 0.25),)


def test_shipped_table_is_monotone_within_the_unit_interval():
    table = read(CALIBRATION_CSV)
    assert BEST in table.maps
    for conf_map in table.maps.values():
        raws = [x for x, _ in conf_map.knots]
        values = [y for _, y in conf_map.knots]
        assert raws == sorted(set(raws)) and values == sorted(values)
        assert all(0.0 <= v <= 1.0 for v in raws + values)
    grid = [i / 100 for i in range(101)]
    for outcome in (BEST, NAMED_AFTER, ARTICLE_TOWN):
        mapped = [table(x, outcome) for x in grid]
        assert mapped == sorted(mapped) and 0.0 <= mapped[0] and mapped[-1] <= 1.0


def test_a_street_put_in_the_place_named_before_it_is_as_sure_as_one_put_in_the_articles_town():
    """Too rare to fit alone, "Tbilisi's Rustaveli Avenue" is fitted with the article's-town placements and
    shares their map, rather than falling back to the best-candidate map or its raw value."""
    table = shipped()
    assert table.maps[PLACE_SAID] == table.maps[ARTICLE_TOWN]
    assert table(0.3, PLACE_SAID) == table(0.3, ARTICLE_TOWN) > 0.3


def test_shipped_table_says_how_it_was_fitted():
    head = CALIBRATION_CSV.read_text(encoding="utf-8").split("outcome,raw,calibrated")[0]
    assert "devtools.calibrate" in head and "development halves" in head and "commit" in head


def test_read_rejects_a_decreasing_map_naming_file_and_line(tmp_path: Path):
    path = tmp_path / "calibration.csv"
    path.write_text("# comment\noutcome,raw,calibrated\nbest candidate,0.2,0.5\nbest candidate,0.4,0.3\n")
    with pytest.raises(CalibrationError, match=r"calibration.csv:4: .*not decreasing"):
        read(path)
    path.write_text("outcome,raw,calibrated\nbest candidate,0.2,high\n")
    with pytest.raises(CalibrationError, match=r"calibration.csv:2: "):
        read(path)


def test_map_interpolates_between_knots():
    conf_map = ConfidenceMap(((0.2, 0.4), (0.6, 0.8)))
    assert conf_map(0.4) == pytest.approx(0.6)
    assert conf_map(0.2) == 0.4 and conf_map(0.6) == 0.8


TEXT = ("Officials in Springfield met on Monday. Ministers from Paris, Lagos and Georgia flew in, and mass "
        "was said at Manila Cathedral. Residents of Jackson said the river rose.")


def test_pipeline_confidence_is_the_calibrated_raw_confidence(pipeline, gazetteer):
    """The pipeline's mentions carry the shipped map of the raw confidence the resolver computed."""
    raw_parser = Geoparser(gazetteer)
    raw_parser.resolver.calibration = RAW
    raw_parser.resolver.explain = True
    raw = raw_parser.annotate(pipeline.nlp(TEXT))._.geodata.mentions
    calibrated = Geoparser(gazetteer).annotate(pipeline.nlp(TEXT))._.geodata.mentions
    assert [(m.start, m.place) for m in raw] == [(m.start, m.place) for m in calibrated]
    placed = [(r, c) for r, c in zip(raw, calibrated) if c.place is not None]
    assert len(placed) >= 4
    table = shipped()
    for r, c in placed:
        assert c.confidence == pytest.approx(table(r.confidence, r.explanation["outcome"]))
        assert 0.0 <= c.confidence <= 1.0
    assert any(abs(c.confidence - r.confidence) > 0.01 for r, c in placed)  # the map is not the identity
    assert all(c.confidence == 0.0 for c in calibrated if c.place is None)


def test_a_small_town_nothing_supports_stays_doubtful_once_calibrated():
    """Right about once in 20 on the development halves: its own row keeps it doubtful, where the best-candidate
    map would lift its set confidence to the floor of that map (about 0.5)."""
    table = shipped()
    assert UNSUPPORTED in table.maps
    assert table(UNSUPPORTED_CONFIDENCE, UNSUPPORTED) < 0.2 < table(UNSUPPORTED_CONFIDENCE, BEST)


def test_every_outcome_with_a_set_confidence_has_its_own_row():
    """Without its row an outcome goes through the best-candidate map, whose floor (about 0.5) would lift the set
    confidences of the towns nothing supports and of rivers: doubtful placements would no longer look doubtful."""
    table = shipped()
    assert set(SET_CONFIDENCE) <= set(table.maps)
    assert all(table(SET_CONFIDENCE[o], o) < 0.5 <= table(SET_CONFIDENCE[o], BEST) for o in (UNSUPPORTED_TOWN, RIVER))
    # a town only its country supports: solid on the map, under the sure band the best-candidate map would put it in
    assert 0.5 <= table(COUNTRY_TOWN_CONFIDENCE, COUNTRY_TOWN) < 0.8 <= table(COUNTRY_TOWN_CONFIDENCE, BEST)
