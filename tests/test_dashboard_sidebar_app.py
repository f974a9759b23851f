"""The dashboard's sidebar driven by `streamlit.testing.v1.AppTest`: clearing the filters, the filter boxes,
the online geocoder's state and the articles with no publication date (see test_dashboard_app.py)."""

from __future__ import annotations

from geodata.records import Document
from geodata.store import Store
from tests.apptest import BAGHOUZ, caption, expected, fresh_app, notices, ok, table_names, widget


def test_clear_filters_clears_every_filter_in_one_click(seeded) -> None:
    at = ok(fresh_app(place=BAGHOUZ, country="SY", kind="populated place", min_conf="0.2", demonyms="0",
                      undated="0", article="1", selected="gn:163843", tab="Article"))
    assert widget(at.sidebar.multiselect, "Countries").value == ["SY"]
    widget(at.sidebar.button, "Clear filters").click()
    ok(at)
    assert not set(at.query_params) & {"place", "country", "kind", "min_conf", "demonyms", "undated", "article"}
    assert at.query_params["selected"] == "gn:163843" and at.query_params["tab"] == "Article"
    for label in ("Places", "Articles", "Countries", "Kinds"):
        assert widget(at.sidebar.multiselect, label).value == []
    assert widget(at.sidebar.slider, "Minimum confidence").value == 0.0
    assert all(t.value for t in at.sidebar.toggle)
    assert caption(at).startswith(expected(seeded)[1]) and widget(at.sidebar.button, "Clear filters").disabled


def test_filter_boxes_offer_no_select_all(seeded) -> None:
    """Enter in a filter box picks the best match: no "Select all" / "Select N matches" entry comes first."""
    boxes = {w.label: w.proto for w in ok(fresh_app()).sidebar.multiselect}
    assert set(boxes) == {"Places", "Articles", "Countries", "Kinds", "Languages"}
    assert all(proto.select_all == 0 for proto in boxes.values())


def test_the_sidebar_says_when_the_online_geocoder_is_unreachable(seeded, monkeypatch) -> None:
    from tests.fake_nominatim import FakeNominatim, closed_port

    monkeypatch.setenv("GEODATA_OFFLINE", "0")
    monkeypatch.setenv("GEODATA_GEOCODER_URL", f"http://127.0.0.1:{closed_port()}")
    at = ok(fresh_app())
    warnings = notices(at.sidebar, "warning")
    assert any(w.startswith("Online geocoder: nominatim is unreachable (connection refused)") for w in warnings)
    assert not [c for c in at.sidebar.caption if "as fallback" in c.value]
    with FakeNominatim() as service:
        monkeypatch.setenv("GEODATA_GEOCODER_URL", service.url)
        at = ok(fresh_app())
    assert [c.value for c in at.sidebar.caption if "Online geocoder" in c.value] == [
        "Online geocoder: **nominatim** (reachable) as fallback for unknown names."]
    assert not [w for w in notices(at.sidebar, "warning") if "geocoder" in w]
    assert service.requests == []  # a connection was opened, no request sent


def test_the_sidebar_says_when_the_online_geocoder_is_off(seeded) -> None:
    at = ok(fresh_app())  # GEODATA_OFFLINE=1, as every AppTest here
    assert [c.value for c in at.sidebar.caption if "Online geocoder" in c.value] == [
        "Online geocoder: **off** (GEODATA_OFFLINE). Only the local gazetteer is used."]


def test_undated_articles_are_counted_and_pass_the_date_bounds(seeded, pipeline) -> None:
    store = Store(seeded / "store.sqlite")
    report = store.add_all(pipeline.parse([Document(id="undated", title="No date",
                                                    text="Troops crossed from Iraq into Jordan on Monday.")]))
    store.close()
    assert report.added == 1
    at = ok(fresh_app(**{"from": "2019-03-01"}))  # after the seed's date: only the undated article is left
    assert widget(at.sidebar.toggle, "Include undated articles (1 of 2)").value
    names, shown = expected(seeded, date_from="2019-03-01")
    assert "Jordan" in names and caption(at).startswith(shown) and table_names(at) == names
    assert "Syria" not in names  # the seed is dated before the bound

    at = ok(fresh_app(**{"from": "2019-03-01", "undated": "0"}))
    assert not widget(at.sidebar.toggle, "Include undated articles (1 of 2)").value
    assert caption(at).startswith("0 place(s), 0 mention(s)")
