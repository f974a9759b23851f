"""geodata.maps: popups and tooltips escape article text, the tooltip carries the place id back,
the map is one clustered layer with a legend, and odd inputs (no places, missing values) draw."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from geodata import maps
from geodata.records import TITLE_SENTENCE

EVIL_SENTENCE = 'In Damascus <script>window.__xss=1</script> and <img src=x onerror="window.__xss=2"> `${x}`.'
EVIL_TITLE = '<img src=x onerror="window.__xss=3"> & </script> title'


class _Text(HTMLParser):
    """An element's textContent, as st_folium reads a clicked marker's tooltip; also its tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text, self.tags = "", []

    def handle_data(self, data: str) -> None:
        self.text += data

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))


def parse(fragment: str) -> _Text:
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return parser


def places_frame(**overrides) -> pd.DataFrame:
    row = {"place_id": "gn:170654", "name": "Damascus", "lat": 33.51, "lon": 36.29, "country": "SY",
           "kind": "populated place", "mentions": 3, "articles": 2, "confidence": 0.9}
    row.update(overrides)
    return pd.DataFrame([row])


def mentions_frame(sentence: str = EVIL_SENTENCE, title: object = EVIL_TITLE, place_id: str = "gn:170654",
                   surface: str = "Damascus") -> pd.DataFrame:
    start = sentence.index(surface)
    return pd.DataFrame([{"place_id": place_id, "title": title, "sentence": sentence, "sentence_start": start,
                          "sentence_end": start + len(surface)}])


def test_highlight_escapes_and_marks_the_toponym() -> None:
    start = EVIL_SENTENCE.index("Damascus")
    out = maps.highlight(maps.Snippet("t", EVIL_SENTENCE, (maps.Mark(start, start + len("Damascus")),)))
    assert out.startswith("In <mark>Damascus</mark> &lt;script&gt;window.__xss=1&lt;/script&gt;")
    assert "<script" not in out and "<img" not in out
    assert html.unescape(re.sub(r"</?mark>", "", out)) == EVIL_SENTENCE  # shown literally


def test_popup_escapes_title_name_and_sentences() -> None:
    row = next(places_frame(name="Dam<b>ascus</b> & co", country="S<Y").itertuples())
    snippets = maps.snippets_by_place(mentions_frame())
    popup = maps.popup_html(row, snippets["gn:170654"])
    assert "<script" not in popup and "<img" not in popup and "<b>ascus" not in popup
    assert "Dam&lt;b&gt;ascus&lt;/b&gt; &amp; co" in popup
    assert "S&lt;Y" in popup
    assert f"<i>{html.escape(EVIL_TITLE)}</i>" in popup
    assert "<mark>Damascus</mark>" in popup
    assert "3 mention(s) in 2 article(s)" in popup and "and 2 more" in popup


def test_a_sentence_naming_a_place_twice_is_shown_once_with_both_marked() -> None:
    sentence = "Damascus said the Damascus talks would go on."
    frame = pd.concat([mentions_frame(sentence), mentions_frame(sentence).assign(
        sentence_start=18, sentence_end=26)])
    (snippet,) = maps.snippets_by_place(frame)["gn:170654"]
    assert maps.highlight(snippet) == "<mark>Damascus</mark> said the <mark>Damascus</mark> talks would go on."
    popup = maps.popup_html(next(places_frame().itertuples()), [snippet])
    assert popup.count("<li>") == 1 and "and 1 more" in popup  # 3 mentions, 2 of them shown


def test_a_mark_with_a_reason_says_it_escaped() -> None:
    """A mention the gazetteer did not place (the article's town, a correction) is marked apart, its reason
    on hover and once under the popup; the reason comes from the store, so it is escaped like the text."""
    sentence = "Crowds left Press Street in Damascus."
    frame = pd.concat([mentions_frame(sentence).assign(sentence_start=12, sentence_end=24, reason="town's <b>"),
                       mentions_frame(sentence).assign(sentence_start=28, sentence_end=36, reason=None)])
    (snippet,) = maps.snippets_by_place(frame)["gn:170654"]
    assert maps.highlight(snippet) == ("Crowds left <mark class='gd-reason' title='town&#x27;s &lt;b&gt;'>Press "
                                       "Street</mark> in <mark>Damascus</mark>.")
    popup = maps.popup_html(next(places_frame().itertuples()), [snippet])
    assert popup.count("town&#x27;s &lt;b&gt;") == 2 and "<b>" not in popup.replace("<b>Damascus</b>", "")


def test_doubtful_places_are_marked_for_a_hollow_marker_and_the_legend_says_so() -> None:
    places = pd.concat([places_frame(), places_frame(place_id="gn:1", confidence=0.3)])
    assert [row[7] for row in maps.marker_rows(places, {})] == [False, True]
    assert "doubtful (confidence &lt; 0.5)" in maps.legend_html()


def test_missing_values_draw_as_empty_text() -> None:
    """pandas gives NaN for a missing title or country: no crash, no 'nan' on the map."""
    row = next(places_frame(country=float("nan")).itertuples())
    snippets = maps.snippets_by_place(mentions_frame(title=float("nan")))
    popup = maps.popup_html(row, snippets["gn:170654"])
    assert "nan" not in popup.lower().replace("damascus", "")
    assert "<i>(untitled)</i>" in popup


@pytest.mark.parametrize("name, place_id", [
    ("Damascus", "gn:170654"),
    ('<img src=x onerror="alert(1)"> & Co', "user:33.50000,36.30000"),
    ("Name \u00b7 with the separator", "cache:al-baghuz-fawqani"),
])
def test_tooltip_round_trip(name: str, place_id: str) -> None:
    """The marker's tooltip is HTML with the name escaped and the id hidden; st_folium hands back
    its text (textContent, hidden parts included), which names the place."""
    places = places_frame(name=name, place_id=place_id)
    tooltip = parse(maps.marker_rows(places, {})[0][4])
    assert tooltip.tags == [("span", {"class": "gd-id", "style": "display:none"})]  # no tag from the name
    assert tooltip.text == f"{name} (3 mentions) \u00b7 {place_id}"
    assert maps.place_id_from_tooltip(tooltip.text) == place_id


@pytest.mark.parametrize("tooltip", [None, "", "Damascus (3 mentions)", "Damascus \u00b7 "])
def test_tooltip_without_an_id(tooltip: str | None) -> None:
    assert maps.place_id_from_tooltip(tooltip) is None


def test_marker_rows_carry_size_colour_and_id() -> None:
    places = pd.concat([places_frame(), places_frame(place_id="gn:163843", name="Syria", kind="country",
                                                     mentions=40, lat=35.0, lon=38.0)])
    rows = maps.marker_rows(places, {})
    assert [r[6] for r in rows] == ["gn:170654", "gn:163843"]
    assert rows[0][3] == maps.KIND_COLOURS["populated place"] and rows[1][3] == maps.KIND_COLOURS["country"]
    assert rows[0][2] < rows[1][2] <= 30  # more mentions, bigger marker, capped
    assert maps.radius(1) < maps.radius(10) < maps.radius(100) < maps.radius(10_000) == maps.radius(10**6) == 30


def test_rendered_map_keeps_article_text_out_of_the_script() -> None:
    m = maps.build_map(places_frame(), mentions_frame(), None, tiles=False)
    page = m.get_root().render()
    # The popup travels as JSON inside a <script>: no tag of the article may appear raw there.
    assert "<script>window.__xss" not in page
    assert "</script> title" not in page and "<img src=x" not in page
    data = re.search(r"var data = (\[.*?\]);\n", page).group(1)
    rows = json.loads(data)
    assert rows[0][6] == "gn:170654"
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in rows[0][5]


def test_legend_lists_the_kinds_shown() -> None:
    page = maps.build_map(places_frame(), mentions_frame(), None, tiles=False).get_root().render()
    assert "gd-legend" in page and "populated place" in page
    assert "physical feature" not in page  # only kinds on the map
    assert all(k in maps.legend_html() for k in maps.KIND_COLOURS)


def test_selection_layer_rings_the_place() -> None:
    m = maps.build_map(places_frame(), mentions_frame(), None, tiles=False)
    layer = maps.selection_layer(33.51, 36.29, 3)
    layer.add_to(m)
    page = m.get_root().render()
    assert page.count("[33.51, 36.29]") >= 2 and "gd-selected" in page and "interactive: false" in page
    assert maps.selection_zoom("country") < maps.selection_zoom("populated place")
    assert maps.selection_zoom(None) == maps.selection_zoom("unknown")


def test_empty_view_draws_a_world_map() -> None:
    empty_places = places_frame().iloc[0:0]
    empty_mentions = mentions_frame().iloc[0:0]
    m = maps.build_map(empty_places, empty_mentions, None)
    page = m.get_root().render()
    assert "var data = [];" in page
    assert "Map tiles unavailable" in page  # the tile notice is wired for when tiles fail


def test_popup_names_each_article_once() -> None:
    sentences = ["Damascus woke up.", "Later, Damascus slept.", "Damascus again."]
    rows = [{"place_id": "gn:170654", "title": t, "sentence": s, "sentence_start": s.index("Damascus"),
             "sentence_end": s.index("Damascus") + 8} for t, s in zip(["A", "A", "B"], sentences)]
    snippets = maps.snippets_by_place(pd.DataFrame(rows))["gn:170654"]
    popup = maps.popup_html(next(places_frame().itertuples()), snippets)
    assert popup.count("<i>A</i>") == 1 and popup.count("<i>B</i>") == 1
    assert popup.count("<li>") == 3


def test_a_title_naming_the_place_is_its_articles_heading_not_a_sentence_too() -> None:
    title = "Shelling <b>near</b> Damascus"
    rows = [{"place_id": "gn:170654", "article_id": 1, "title": title, "sentence": title,
             "sentence_start": title.index("Damascus"), "sentence_end": len(title), "sentence_index": TITLE_SENTENCE},
            {"place_id": "gn:170654", "article_id": 1, "title": title, "sentence": "Damascus woke up.",
             "sentence_start": 0, "sentence_end": 8, "sentence_index": 0}]
    snippets = maps.snippets_by_place(pd.DataFrame(rows))["gn:170654"]
    popup = maps.popup_html(next(places_frame(mentions=2).itertuples()), snippets)
    assert popup.count("near") == 1 and popup.count("<li>") == 1  # the title once, as the heading
    assert "<i>Shelling &lt;b&gt;near&lt;/b&gt; <mark>Damascus</mark></i>" in popup
    assert "more" not in popup  # both mentions are shown


def test_view_fits_the_places() -> None:
    one_country = places_frame(kind="country", lat=35.0, lon=38.0)
    m = maps.build_map(one_country, mentions_frame().iloc[0:0], None, tiles=False)
    assert (m.location, m.options["zoom"]) == ([35.0, 38.0], maps.selection_zoom("country"))  # not street level
    spread = pd.concat([places_frame(), places_frame(place_id="gn:1", lat=48.85, lon=2.35, kind="country")])
    page = maps.build_map(spread, mentions_frame().iloc[0:0], None, tiles=False).get_root().render()
    assert re.search(r"fitBounds\(\s*\[\[33\.51, 2\.35\], \[48\.85, 36\.29\]\]", page)
