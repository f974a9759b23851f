"""The Streamlit dashboard driven by `streamlit.testing.v1.AppTest`: first launch, filters in the URL,
selection, corrections, adding articles, empty and odd states.

Each test runs the real `dashboard/app.py` against its own data directory (a copy of the session's
gazetteer, and a copy of a store holding the seed article when the test needs one).
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from pathlib import Path

import pytest

from dashboard.corrections import CURRENT
from geodata.records import TITLE_SENTENCE, Document
from geodata.resolve import IN_ARTICLE_TOWN
from geodata.store import Filters, Store
from tests.apptest import (BAGHOUZ, INGEST_TIMEOUT, caption, expected, fresh_app, html_text, notices, ok,
                           table_names, texts, widget)


# -- first launch ------------------------------------------------------------------------------

def test_first_launch_ingests_the_seeds_once(make_home) -> None:
    home = make_home()
    assert not (home / "store.sqlite").exists()

    at = ok(fresh_app(), INGEST_TIMEOUT)
    store = Store(home / "store.sqlite")
    assert store.counts()["articles"] == 1
    names, counts = expected(home)
    assert {"Syria", "Iraq", "Al-Baghuz Fawqani", "Euphrates"} <= names
    assert caption(at).startswith(counts + " in 1 article(s) shown, of 1 article(s) stored")
    assert table_names(at) == names

    ok(fresh_app())  # a later launch (new process): nothing ingested twice
    assert store.counts()["articles"] == 1


def test_empty_store_and_every_tab(make_home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_home()
    (tmp_path / "no-seeds").mkdir()
    monkeypatch.setenv("GEODATA_SEEDS", str(tmp_path / "no-seeds"))
    for tab in ["Places", "Article", "Add articles", "Corrections", "Export"]:
        at = ok(fresh_app(tab=tab, selected="gn:nowhere", kind="country", **{"from": "2019"}))
        assert caption(at).startswith("0 place(s), 0 mention(s) in 0 article(s) shown, of 0 article(s) stored")
        assert any("The store is empty" in i.value for i in at.info)
    assert any("No articles yet" in i.value for i in ok(fresh_app(tab="Article")).info)


def test_a_foreign_store_file_is_refused_with_a_message(make_home) -> None:
    home = make_home()
    conn = sqlite3.connect(home / "store.sqlite")
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    at = ok(fresh_app())
    assert any("another application" in e and "GEODATA_HOME" in e for e in notices(at, "error"))
    tables = sqlite3.connect(home / "store.sqlite").execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("invoices",)]  # untouched


# -- filters and the URL -----------------------------------------------------------------------

def test_url_filters_are_applied(seeded) -> None:
    at = ok(fresh_app(kind="country"))
    countries, counts = expected(seeded, kinds=("country",))
    assert {"Syria", "Iraq"} <= countries and "Al-Baghuz Fawqani" not in countries
    assert table_names(at) == countries
    assert set(at.dataframe[0].value["kind"]) == {"country"}
    assert caption(at).startswith(counts)
    assert widget(at.sidebar.multiselect, "Kinds").value == ["country"]

    at = ok(fresh_app(country="SY"))
    assert table_names(at) == expected(seeded, countries=("SY",))[0]
    assert "Al-Baghuz Fawqani" in table_names(at) and "Iraq" not in table_names(at)
    # A bound between the places' best confidences: the least sure place goes, the surest stays.
    store = Store(seeded / "store.sqlite")
    best = store.mentions().groupby("place_name").confidence.max().sort_values()
    store.close()
    assert best.iloc[0] < best.iloc[-1], best
    bound = round(float(best.iloc[0] + best.iloc[-1]) / 2, 4)
    at = ok(fresh_app(country="SY", min_conf=str(bound)))
    assert table_names(at) == expected(seeded, countries=("SY",), min_confidence=bound)[0]
    assert widget(at.sidebar.multiselect, "Countries").value == ["SY"]
    at = ok(fresh_app(min_conf=str(bound)))
    assert table_names(at) == expected(seeded, min_confidence=bound)[0]
    assert best.index[-1] in table_names(at) and best.index[0] not in table_names(at)
    assert widget(at.sidebar.slider, "Minimum confidence").value == pytest.approx(bound)

    at = ok(fresh_app(place=[BAGHOUZ, "gn:99237"]))
    assert table_names(at) == {"Al-Baghuz Fawqani", "Iraq"}


def test_changing_widgets_updates_the_url(seeded) -> None:
    at = ok(fresh_app(kind="country"))
    widget(at.sidebar.multiselect, "Kinds").set_value(["country", "populated place"])
    ok(at)
    assert at.query_params["kind"] == ["country", "populated place"]
    assert table_names(at) == expected(seeded, kinds=("country", "populated place"))[0]
    assert "Al-Baghuz Fawqani" in table_names(at) and "Euphrates" not in table_names(at)

    widget(at.sidebar.multiselect, "Countries").set_value(["SY"])
    widget(at.sidebar.slider, "Minimum confidence").set_value(0.5)
    ok(at)
    assert at.query_params["country"] == "SY"
    assert at.query_params["min_conf"] == "0.5"
    assert table_names(at) == {"Syria", "Al-Baghuz Fawqani"}

    widget(at.sidebar.button, "Clear filters").click()
    ok(at)
    assert not {"kind", "country", "min_conf"} & set(at.query_params)
    assert table_names(at) == expected(seeded)[0]


def test_demonyms_toggle(seeded) -> None:
    store = Store(seeded / "store.sqlite")
    demonyms = store.mentions()
    demonyms = demonyms[demonyms.kind == "demonym"]
    assert {"European", "Iraqi"} <= set(demonyms.text)
    with_all = store.place_summary().set_index("name").mentions
    without = store.place_summary(Filters(demonyms=False)).set_index("name").mentions
    assert without["Iraq"] == with_all["Iraq"] - (demonyms.place_name == "Iraq").sum()

    at = ok(fresh_app())
    assert caption(at).startswith(expected(seeded)[1])
    assert at.dataframe[0].value.set_index("name").mentions["Iraq"] == with_all["Iraq"]

    at.toggle(key="f_demonyms").set_value(False)
    ok(at)
    assert at.query_params["demonyms"] == "0"
    assert caption(at).startswith(expected(seeded, demonyms=False)[1])
    assert at.dataframe[0].value.set_index("name").mentions["Iraq"] == without["Iraq"]

    at.toggle(key="f_demonyms").set_value(True)
    ok(at)
    assert "demonyms" not in at.query_params
    assert caption(at).startswith(expected(seeded)[1])


def test_bad_dates_give_a_clear_message(seeded) -> None:
    at = ok(fresh_app(**{"from": "2019-02-30"}))
    errors = notices(at.sidebar, "error")
    assert any("2019-02-30" in e and "YYYY-MM-DD" in e for e in errors), errors
    assert table_names(at) == expected(seeded)[0]  # the bad bound is ignored, not applied
    assert "from" not in at.query_params

    widget(at.sidebar.text_input, "Published to (YYYY-MM-DD)").input("yesterday")
    ok(at)
    assert any("“yesterday” is not a date" in e for e in notices(at.sidebar, "error"))
    assert table_names(at) == expected(seeded)[0]

    at = ok(fresh_app(**{"from": "2019-02", "to": "2019-02-16"}))
    assert not notices(at.sidebar, "error")
    assert not at.dataframe
    assert any("No place matches the filters" in w.value for w in at.warning)
    assert any("No places to list" in i.value for i in at.info)

    at = ok(fresh_app(**{"from": "2019-03-01", "to": "2019-02-01"}))
    assert any("after “Published to”" in e for e in notices(at.sidebar, "error"))

    at = ok(fresh_app(**{"from": "2019", "to": "2019-02-17"}))
    assert table_names(at) == expected(seeded)[0]


def test_nothing_matches_in_every_tab(seeded) -> None:
    for tab in ["Places", "Article", "Add articles", "Corrections", "Export"]:
        at = ok(fresh_app(tab=tab, kind="site", selected=BAGHOUZ))
        assert caption(at).startswith("0 place(s), 0 mention(s)")
        assert any("No place matches the filters" in w.value for w in at.warning)
    assert "No mention of this place matches the current filters" in html_text(at)
    assert any("0 place(s), 0 mention(s)" in c for c in texts(at.caption))  # the Export tab says so

    widget(at.button, "Clear filters").click()
    ok(at)
    assert "kind" not in at.query_params and at.query_params["selected"] == BAGHOUZ


def test_unknown_values_in_the_link_are_reported(seeded) -> None:
    at = ok(fresh_app(country=["ZZ", "SY"], article="999"))
    assert table_names(at) == expected(seeded, countries=("SY",))[0]
    notes = [c for c in notices(at.sidebar, "note") if "Ignored from the link" in c]
    assert notes and "country ZZ" in notes[0] and "article 999" in notes[0]
    assert at.query_params["country"] == "SY" and "article" not in at.query_params


# -- selection, article view -------------------------------------------------------------------

def test_selected_place_panel(seeded) -> None:
    at = ok(fresh_app(selected=BAGHOUZ))
    panel = html_text(at)
    assert "Al-Baghuz Fawqani" in panel
    assert f"{len(mentions_of(seeded, BAGHOUZ))} mention(s) in 1 article(s)" in panel  # two, and the title's
    assert "out of the so-called &quot;<mark>Baghouz</mark> pocket&quot;" in panel
    assert "populated place · SY · 34.4586, 40.9506" in panel

    widget(at.button, "Clear selection").click()
    ok(at)
    assert "selected" not in at.query_params
    assert "Baghouz pocket" not in html_text(at)


def mentions_of(home: Path, place_id: str):
    store = Store(home / "store.sqlite")
    rows = store.mentions(Filters(places=(place_id,)))
    store.close()
    return rows


SEED_TITLE = "Jihadists block roads out of the last IS &quot;caliphate&quot; pocket in Baghouz, Syria"


def test_the_title_is_a_sentence_shown_once_with_its_places_linked(seeded) -> None:
    syria = "gn:163843"
    assert TITLE_SENTENCE in set(mentions_of(seeded, syria).sentence_index)
    # The panel: the title heads the article's sentences with the place marked in it, and only there.
    at = ok(fresh_app(selected=syria))
    panel = html_text(at)
    head = SEED_TITLE.replace("Syria", "<mark>Syria</mark>")
    assert f"<div class='gd-art-head'>{head}<span class='gd-meta'> · 2019-02-17 · named in the title" in panel
    assert panel.count("pocket in Baghouz") == 1
    # The article view: the title above the text, its toponyms linked like the text's.
    at = ok(fresh_app(tab="Article", doc="1"))
    body = html_text(at)
    title = body.split("<div class='gd-article'><p><strong>", 1)[1].split("</strong></p>", 1)[0]
    assert title.startswith("Jihadists block roads") and "selected=gn%3A163843" in title
    assert re.sub(r"<[^>]+>", "", title) == SEED_TITLE
    assert "Diehard jihadists have blocked roads" not in title


def test_article_links_keep_the_filters(seeded) -> None:
    at = ok(fresh_app(tab="Article", kind="country", demonyms="0"))
    body = html_text(at)
    assert "Diehard jihadists have blocked roads" in body
    links = [part.split("'", 1)[0] for part in body.split("href='")[1:]]
    syria = [h for h in links if "selected=gn%3A163843" in h]
    assert syria, links
    for kept in ("kind=country", "demonyms=0", "tab=Article", "doc=1"):
        assert kept in syria[0].replace("&amp;", "&"), syria[0]


# -- corrections -------------------------------------------------------------------------------

def test_correction_with_coordinates_survives_restart_and_undo(seeded: Path) -> None:
    at = ok(fresh_app(selected=BAGHOUZ, tab="Corrections"))
    widget(at.radio, "New location").set_value("coordinates")
    ok(at)
    widget(at.text_input, "Name").input("Baghouz (corrected)")
    widget(at.number_input, "Latitude").set_value(34.5)
    widget(at.number_input, "Longitude").set_value(40.9)
    ok(at)
    widget(at.button, "Apply correction").click()
    ok(at)

    active = Store(seeded / "store.sqlite").corrections()
    assert list(zip(active.scope, active.key, active.place_id)) == [("place", BAGHOUZ, "user:34.50000,40.90000")]
    assert at.query_params["selected"] == "user:34.50000,40.90000"
    listed = [t for t in texts(at.text) if "Baghouz (corrected)" in t]
    assert listed and listed[0].startswith("every mention of Al-Baghuz Fawqani, ")  # names, not codes
    assert listed[0].endswith(", Syria → Baghouz (corrected), Syria (34.500, 40.900)") and "SY" not in listed[0]
    assert "Baghouz (corrected)" in html_text(at) and "3 mention(s) in 1 article(s)" in html_text(at)

    at = ok(fresh_app(tab="Places"))  # restart: still applied
    assert "Baghouz (corrected)" in table_names(at) and "Al-Baghuz Fawqani" not in table_names(at)

    at = ok(fresh_app(tab="Corrections", selected="user:34.50000,40.90000"))
    widget(at.button, "Undo").click()
    ok(at)
    assert Store(seeded / "store.sqlite").corrections().empty
    assert not [t for t in texts(at.text) if "Baghouz (corrected)" in t]
    assert at.query_params["selected"] == BAGHOUZ
    at = ok(fresh_app())
    assert "Al-Baghuz Fawqani" in table_names(at) and "Baghouz (corrected)" not in table_names(at)


def test_correction_by_name_from_the_gazetteer_applies_to_later_articles(seeded: Path) -> None:
    at = ok(fresh_app(selected="gn:99237", tab="Corrections"))  # Iraq: "Iraq" and the demonym "Iraqi"
    widget(at.radio, "Apply to").set_value("name")
    ok(at)
    assert {"Iraq", "Iraqi"} <= set(widget(at.selectbox, "Name").options)
    widget(at.selectbox, "Name").set_value("Iraq")
    assert widget(at.text_input, "Search the gazetteer").value == "Iraq"
    candidates = widget(at.selectbox, "Candidates")
    # the selected place is offered as what it is, and cannot be applied onto itself
    [current] = [o for o in candidates.options if o.endswith(CURRENT)]
    assert current.startswith("Iraq — country (33.00, 44.00)")
    candidates.set_value("gn:143127")  # Arak, Iran (GeoNames: Arāk)
    ok(at)
    widget(at.button, "Apply correction").click()
    ok(at)
    active = Store(seeded / "store.sqlite").corrections()
    assert list(zip(active.scope, active.key, active.place_id)) == [("name", "iraq", "gn:143127")]
    at = ok(fresh_app())
    mentions = at.dataframe[0].value.set_index("name").mentions
    iraq = Store(seeded / "store.sqlite").mentions()
    iraq = iraq[iraq.text.isin(["Iraq", "Iraqi"])]
    assert mentions["Arak"] == (iraq.text == "Iraq").sum()
    assert mentions["Iraq"] == (iraq.text == "Iraqi").sum()  # the demonym is another name: not corrected

    at = ok(fresh_app(tab="Add articles"))
    at.text_area[0].input("Troops crossed from Iraq into Jordan on Monday, officials said.")
    widget(at.text_input, "Title of the pasted article").input("Border crossing")
    widget(at.button, "Geoparse and add").click()
    ok(at, INGEST_TIMEOUT)
    assert any("Added 1 article(s)" in s for s in notices(at, "success"))
    mentions = Store(seeded / "store.sqlite").mentions()
    later = mentions[mentions.title == "Border crossing"].set_index("text")
    assert later.loc["Iraq", "place_id"] == "gn:143127"  # the name correction applies to new articles


# -- adding articles ---------------------------------------------------------------------------

def test_upload_with_bad_lines_names_file_and_line_and_loads_the_good_ones(seeded: Path) -> None:
    jsonl = "\n".join([
        json.dumps({"id": "ok-1", "title": "Aleppo report", "text": "Fighting resumed in Aleppo on Tuesday."}),
        '{"id": "broken", "text": ',
        json.dumps({"id": "no-text", "title": "nothing"}),
        json.dumps({"id": "ok-2", "text": "Rain fell over Paris all week."}),
    ]).encode()
    csv_bad = b"headline,summary\nx,y\n"  # no text column
    at = ok(fresh_app(tab="Add articles"))
    at.file_uploader[0].set_value([("bad.jsonl", jsonl, "application/jsonl"), ("wrong.csv", csv_bad, "text/csv")])
    widget(at.button, "Geoparse and add").click()
    ok(at, INGEST_TIMEOUT)

    errors = notices(at, "error")
    assert any(e.startswith("bad.jsonl:2: broken JSON") for e in errors), errors
    assert any(e.startswith("bad.jsonl:3: no `text` field") for e in errors), errors
    assert any(e.startswith("wrong.csv:1: no text column") for e in errors), errors
    assert any("Added 2 article(s)" in s for s in notices(at, "success"))
    assert Store(seeded / "store.sqlite").counts()["articles"] == 3
    # The app reran after ingesting: the new places are on the map and in the table.
    assert caption(at).endswith("of 3 article(s) stored.")
    assert {"Aleppo", "Paris"} <= table_names(ok(fresh_app(tab="Places")))


def test_paste_an_article(seeded: Path) -> None:
    at = ok(fresh_app(tab="Add articles"))
    widget(at.button, "Geoparse and add").click()
    ok(at)
    assert any("Nothing to add" in w.value for w in at.warning)

    at.text_area[0].input("Aid convoys reached Aleppo and Homs after weeks of delay.")
    widget(at.text_input, "Title of the pasted article").input("Convoys <b>arrive</b>")
    widget(at.button, "Geoparse and add").click()
    ok(at, INGEST_TIMEOUT)
    assert any("Added 1 article(s)" in s for s in notices(at, "success"))
    articles = Store(seeded / "store.sqlite").articles()
    assert "Convoys <b>arrive</b>" in set(articles.title)
    assert caption(at).startswith(expected(seeded)[1])
    assert {"Aleppo", "Homs"} <= expected(seeded)[0]

    widget(at.button, "Geoparse and add").click()  # the form was cleared: nothing again
    ok(at)
    assert Store(seeded / "store.sqlite").counts()["articles"] == 2


def test_search_box_and_places_box_find_a_place_by_the_articles_spelling(seeded) -> None:
    at = ok(fresh_app(q="Baghouz"))
    assert at.text_input(key="search_q").value == "Baghouz"
    found = [n for n in notices(at, "note") if "found for “Baghouz”" in n]
    assert found, notices(at, "note")
    results = html_text(at)
    assert "Al-Baghuz Fawqani</a>" in results and "selected=cache%3Aal-baghuz-fawqani" in results
    places = widget(at.sidebar.multiselect, "Places")
    assert any("Baghouz" in places.format_func(option) and "Al-Baghuz Fawqani" in places.format_func(option)
               for option in places.options)
    at.text_input(key="search_q").input("")
    ok(at)
    assert "q" not in at.query_params


def test_a_search_query_is_text_not_markup(seeded) -> None:
    query = "[x](http://evil.example/) <b>{{ 7*7 }}</b>"
    at = ok(fresh_app(q=query))
    assert any(query in n for n in notices(at, "note"))
    assert "<b>{{" not in html_text(at)


def test_add_articles_from_web_addresses(seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    """A feed URL and a dead link in the "Add articles" tab: the feed's article is stored with its URL and
    placed on the map, the dead link is listed with its reason (a real HTTP server on 127.0.0.1)."""
    from tests.fake_web import FakeWeb, Route, article_page, rss_feed

    with FakeWeb() as web:
        web.routes["/news/oslo"] = Route(article_page("Talks in Oslo", [
            "Negotiators met in Oslo on Tuesday to discuss a ceasefire.",
            "Delegations from Bergen and Trondheim joined them later in the week."]))
        web.routes["/feed.xml"] = Route(rss_feed("Courier", ["/news/oslo"], base=web.url),
                                        content_type="application/rss+xml")
        for name, value in {"GEODATA_OFFLINE": "0", "GEODATA_ALLOW_HOSTS": "127.0.0.1",
                            "GEODATA_FETCH_DELAY": "0.01", "GEODATA_GEOCODER_URL": "http://127.0.0.1:9"}.items():
            monkeypatch.setenv(name, value)
        at = ok(fresh_app(tab="Add articles"))
        widget(at.text_area, "...or web addresses of articles or RSS/Atom feeds, one per line").input(
            f"{web.url}/feed.xml\n{web.url}/missing")
        widget(at.button, "Geoparse and add").click()
        ok(at, INGEST_TIMEOUT)
    errors = notices(at, "error")
    assert any(e.startswith(f"{web.url}/missing") and "404" in e for e in errors), errors
    assert any("Added 1 article(s)" in s for s in notices(at, "success"))
    store = Store(seeded / "store.sqlite")
    assert f"{web.url}/news/oslo" in set(store.articles().url)
    assert "Oslo" in set(store.place_summary().name)


def test_the_country_filter_lists_names(seeded) -> None:
    countries = widget(ok(fresh_app()).sidebar.multiselect, "Countries")
    assert "Syria (SY)" in countries.options and "Iraq (IQ)" in countries.options


def test_a_street_placed_at_its_articles_town_says_so_in_the_article_view(seeded: Path, pipeline) -> None:
    text = "The parade left Press Street in New Orleans on Sunday. New Orleans police closed the road."
    store = Store(seeded / "store.sqlite")
    store.add_all(pipeline.parse([Document("parade", text, title="Parade")]))
    doc = int(store.articles().set_index("title").loc["Parade", "id"])
    store.close()
    body = html_text(ok(fresh_app(tab="Article", doc=str(doc))))
    street = body.split("<mark>Press Street</mark>", 1)[0].rsplit("<a ", 1)[1]  # its link and tooltip
    assert "title='New Orleans (" in street and html.escape(IN_ARTICLE_TOWN, quote=True) in street
    town = body.split("<mark>New Orleans</mark>", 1)[0].rsplit("<a ", 1)[1]
    assert "placed at the town" not in town  # a place the gazetteer found says nothing more
    # The selected place's panel: the street's sentence says why, its mark drawn apart; the town's does not.
    store = Store(seeded / "store.sqlite")
    place = store.mentions().set_index("text").place_id["Press Street"]
    store.close()
    panel = html_text(ok(fresh_app(selected=place)))
    reason = html.escape(IN_ARTICLE_TOWN, quote=True)
    assert "“Press Street” · toponym · confidence" in panel and f"{reason}</span>" in panel
    assert f"<mark class='gd-reason' title='{reason}'>Press Street</mark>" in panel
