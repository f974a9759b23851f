"""Streamlit dashboard: a map of the places in the stored articles, linked to their sentences.

Run with `make run` (or `streamlit run dashboard/app.py`). All geoparsing happens in `geodata`;
this file only lays out widgets and passes the user's choices to the library.

The view lives in the URL: the filters (see `dashboard.state`), the selected place (`selected`),
the article shown (`doc`) and the open tab (`tab`).
"""

from __future__ import annotations

import ipaddress
import json

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard.articles import add_articles, article_view, first_run
from dashboard.context import (country_names, geocoder_messages, geocoder_unreachable, language_label, outlines,
                               overview, select, selected_place, selection_view, settings, static_assets, store,
                               url_params)
from dashboard.corrections import corrections_view
from dashboard.review import review_view
from dashboard.search import search_box
from dashboard.state import FILTER_PARAMS, filters_from_params, url_changes
from dashboard.timeline import filtered_timeline, timeline_view
from dashboard.ui import STYLE, esc, notice
from geodata import assets, export, maps
from geodata.config import SettingsError
from geodata.filters import checked_dates
from geodata.records import KINDS, TITLE_SENTENCE
from geodata.store import Filters, StoreError

MAP_HEIGHT = 560
PANEL_SENTENCES = 200
TABS = ["Places", "Article", "Add articles", "Corrections", "Export", "Review"]

st.set_page_config(page_title="Places in the news", layout="wide")

# -- filters -----------------------------------------------------------------------------------

# Widget keys of the filters and their values when nothing is filtered.
FILTER_DEFAULTS: dict[str, object] = {
    "f_places": [], "f_articles": [], "f_countries": [], "f_kinds": [], "f_languages": [], "f_min_conf": 0.0,
    "f_from": "", "f_to": "", "f_demonyms": True, "f_undated": True,
}


def clear_filters() -> None:
    for key in FILTER_PARAMS:
        if key in st.query_params:
            del st.query_params[key]
    for key, value in FILTER_DEFAULTS.items():
        st.session_state[key] = value


def init_filter_widgets(current: Filters, options: dict[str, list]) -> None:
    """The widgets start from the URL (a new session); later their own state rules and the URL follows.
    Values no longer on offer (after a correction, say) are dropped rather than breaking the widget."""
    initial = {
        "f_places": list(current.places), "f_articles": list(current.articles),
        "f_countries": list(current.countries), "f_kinds": list(current.kinds),
        "f_languages": list(current.languages), "f_min_conf": float(current.min_confidence),
        "f_from": current.date_from or "", "f_to": current.date_to or "", "f_demonyms": current.demonyms,
        "f_undated": current.undated,
    }
    for key, value in initial.items():
        if key not in st.session_state:
            st.session_state[key] = value
        if key in options:
            kept = [v for v in st.session_state[key] if v in options[key]]
            if kept != st.session_state[key]:
                st.session_state[key] = kept


def place_label(row: object) -> str:
    """A place as the Places box lists it: its name, country and the other spellings the articles use
    ("Al-Baghuz Fawqani (SY) · Baghouz"), so typing either finds it."""
    others = sorted({s for s in maps.text(row.spellings).split(",") if s and s != row.name})[:3]
    return f"{row.name} ({maps.text(row.country) or '-'})" + (f" · {', '.join(others)}" if others else "")


def sidebar_filters(summary: pd.DataFrame, articles: pd.DataFrame) -> Filters:
    """Sidebar widgets initialised from the URL; the URL follows every change."""
    params = url_params()
    current = filters_from_params(params)
    names = {row.place_id: place_label(row) for row in summary.itertuples()}
    titles = {int(a): t for a, t in zip(articles.id, articles.title.fillna(articles.doc_id))}
    countries = sorted(c for c in summary.country.dropna().unique())
    languages = sorted(articles.language.dropna().unique())
    options = {"f_places": list(names), "f_articles": list(titles), "f_countries": countries, "f_kinds": list(KINDS),
               "f_languages": languages}
    new_session = "f_places" not in st.session_state
    init_filter_widgets(current, options)
    bar = st.sidebar
    bar.header("Filters")
    clear_slot = bar.empty()  # "Clear filters" at the top, where it is seen without scrolling; drawn last
    # No "Select all" / "Select N matches" entry: Enter picks the best match, never a batch of them (and
    # "all" is what an empty box means). Titles are long: a fuzzy (subsequence) match found unrelated ones.
    bar.multiselect("Places", options=options["f_places"], key="f_places", select_all=False,
                    format_func=lambda pid: names.get(pid, pid), placeholder="All places")
    bar.multiselect("Articles", options=options["f_articles"], key="f_articles", select_all=False,
                    filter_mode="contains", format_func=lambda aid: titles.get(aid, str(aid)),
                    placeholder="All articles")
    known = country_names()
    bar.multiselect("Countries", options=countries, key="f_countries", placeholder="All countries",
                    select_all=False,
                    format_func=lambda code: f"{known[code]} ({code})" if code in known else code)
    bar.multiselect("Kinds", options=KINDS, key="f_kinds", placeholder="All kinds", select_all=False)
    bar.multiselect("Languages", options=languages, key="f_languages", placeholder="All languages",
                    select_all=False, format_func=language_label)
    bar.slider("Minimum confidence", 0.0, 1.0, step=0.05, key="f_min_conf")
    dates = sorted(d for d in articles.published.dropna().unique())
    lo, hi = (dates[0][:10], dates[-1][:10]) if dates else ("YYYY-MM-DD", "YYYY-MM-DD")
    bar.text_input("Published from (YYYY-MM-DD)", key="f_from", placeholder=lo)
    bar.text_input("Published to (YYYY-MM-DD)", key="f_to", placeholder=hi)
    undated = int(articles.published.isna().sum())
    bar.toggle(f"Include undated articles ({undated} of {len(articles)})", key="f_undated",
               help="Articles with no publication date pass the date bounds when this is on.")
    bar.toggle("Include demonyms (\"Syrian\")", key="f_demonyms")
    state = st.session_state
    chosen, problems = checked_dates(Filters(
        places=tuple(state.f_places), articles=tuple(state.f_articles), countries=tuple(state.f_countries),
        kinds=tuple(state.f_kinds), languages=tuple(state.f_languages), min_confidence=float(state.f_min_conf),
        date_from=state.f_from or None, date_to=state.f_to or None, demonyms=bool(state.f_demonyms),
        undated=bool(state.f_undated)))
    for problem in problems:
        notice(f"{problem}. This bound is ignored.", "error", bar)
    if new_session:
        unknown = ([f"place {p}" for p in current.places if p not in names]
                   + [f"article {a}" for a in current.articles if a not in titles]
                   + [f"country {c}" for c in current.countries if c not in countries]
                   + [f"kind {k}" for k in current.kinds if k not in KINDS]
                   + [f"language {code}" for code in current.languages if code not in languages])
        if unknown:
            notice("Ignored from the link (not in the store): " + ", ".join(unknown), "note", bar)
    to_set, to_delete = url_changes(params, chosen)
    for key in to_delete:
        del st.query_params[key]
    for key, value in to_set.items():
        st.query_params[key] = value
    # Always drawn (disabled when nothing is filtered): a button that comes and goes would linger on the page
    # until the whole run ends, looking live after it has done its work.
    clear_slot.button("Clear filters", on_click=clear_filters, icon=":material/filter_alt_off:",
                      disabled=chosen == Filters())
    return chosen


def geocoder_status() -> None:
    """Whether names the gazetteer lacks are looked up online: off, unreachable (and why), or on."""
    if settings().offline:
        st.sidebar.caption("Online geocoder: **off** (GEODATA_OFFLINE). Only the local gazetteer is used.")
    elif (reason := geocoder_unreachable()) is not None:
        notice(f"Online geocoder: {settings().geocoder} is unreachable ({reason}). Names the local gazetteer "
               "lacks stay unresolved.", "warning", st.sidebar)
    else:
        st.sidebar.caption(f"Online geocoder: **{settings().geocoder}** (reachable) as fallback for unknown names.")
    for message in geocoder_messages():
        notice(message, "warning", st.sidebar)

# -- the selected place ------------------------------------------------------------------------


def on_map_click() -> None:
    """st_folium's value changed: only a marker click does that (pan and zoom are not returned)."""
    out = st.session_state.get("map") or {}
    place_id = maps.place_id_from_tooltip(out.get("last_object_clicked_tooltip"))
    if place_id:
        select(place_id, move_map=False)


def sentence_html(row: object) -> str:
    reason = maps.text(row.reason)
    snippet = maps.Snippet(maps.text(row.title), maps.text(row.sentence),
                           (maps.Mark(int(row.sentence_start), int(row.sentence_end), reason),))
    why = f" · {reason}" if reason else ""  # not the gazetteer's own answer (the article's town), or doubted
    meta = f"“{row.text}” · {row.kind} · confidence {row.confidence:.2f}{why}"
    return f"<div class='gd-sentence'><span class='gd-meta'>{esc(meta)}</span>{maps.highlight(snippet)}</div>"


def article_head(first: object, in_title: pd.DataFrame) -> str:
    """An article's title over its sentences in the panel. The title is geoparsed as one of its sentences:
    when it names the place (`in_title`: those mentions), the name is marked in it, and it is not repeated."""
    title = maps.text(first.title)
    meta = maps.text(first.published) or "no date"
    if title and not in_title.empty:
        marks = tuple(maps.Mark(int(start), int(end))
                      for start, end in zip(in_title.sentence_start, in_title.sentence_end))
        shown = maps.highlight(maps.Snippet(title, title, marks))
        meta += f" · named in the title (confidence {in_title.confidence.max():.2f})"
    else:
        shown = esc(title or "(untitled)")
    return f"<div class='gd-art-head'>{shown}<span class='gd-meta'> · {esc(meta)}</span></div>"


def place_panel(place_id: str, rows: pd.DataFrame) -> None:
    """The selected place and its sentences; `rows` are its mentions that match the filters."""
    place = store().place(place_id)
    if place is None:
        st.info("The selected place is not in the store any more.")
        st.button("Clear selection", on_click=select, args=(None,))
        return
    colour = maps.KIND_COLOURS.get(place.kind, "#636363")
    details = [place.kind, place.country or "no country", f"{place.lat:.4f}, {place.lon:.4f}",
               f"GeoNames {place.geonameid}" if place.geonameid else "no GeoNames id", f"source: {place.source}"]
    summary = (f"{len(rows)} mention(s) in {rows.article_id.nunique()} article(s) with the current filters"
               if not rows.empty else "No mention of this place matches the current filters.")
    parts = [f"<div class='gd-panel-head'><span class='gd-dot' style='background:{colour}'></span>"
             f"{esc(place.name)}</div>",
             f"<div class='gd-details'>{esc(' · '.join(details))}<br>{esc(summary)}</div>"]
    for _, group in rows.head(PANEL_SENTENCES).groupby("article_id", sort=False):
        in_title = group.sentence_index == TITLE_SENTENCE
        parts.append(article_head(group.iloc[0], group[in_title]))
        parts += [sentence_html(row) for row in group[~in_title].itertuples()]
    if len(rows) > PANEL_SENTENCES:
        parts.append(f"<p><small>and {len(rows) - PANEL_SENTENCES} more (see the Export tab)</small></p>")
    st.html("".join(parts))
    st.button("Clear selection", on_click=select, args=(None,), key="clear_selection")


def on_table_select(place_ids: tuple[str, ...]) -> None:
    rows = st.session_state["places_table"].selection.rows
    if rows and rows[0] < len(place_ids):
        select(place_ids[rows[0]])

# -- views -------------------------------------------------------------------------------------


def map_view(places: pd.DataFrame, popups: pd.DataFrame, selected: str | None) -> None:
    """The map; the selection is a separate layer so selecting does not redraw the map."""
    m = maps.build_map(places, popups, outlines())
    assets.localize(m)
    ring = center = zoom = None
    chosen = places[places.place_id == selected] if selected else places.iloc[0:0]
    place = store().place(selected) if selected and chosen.empty else None  # filtered out: no marker, still shown
    if not chosen.empty or place is not None:
        lat, lon, kind, mentions = ((chosen.lat.iloc[0], chosen.lon.iloc[0], chosen.kind.iloc[0],
                                     int(chosen.mentions.iloc[0])) if place is None
                                    else (place.lat, place.lon, place.kind, 0))
        ring = maps.selection_layer(lat, lon, mentions)
        center, zoom = selection_view(lat, lon, kind)
    st_folium(m, key="map", height=MAP_HEIGHT, use_container_width=True,
              returned_objects=["last_object_clicked_tooltip", "last_object_clicked_count"],
              center=center, zoom=zoom, feature_group_to_add=ring, on_change=on_map_click)


def places_table(places: pd.DataFrame) -> None:
    if places.empty:
        st.info("No places to list.")
        return
    table = places[["name", "country", "kind", "mentions", "articles", "confidence"]].fillna({"country": "—"})
    st.dataframe(table, hide_index=True, on_select=lambda: on_table_select(tuple(places.place_id)),
                 selection_mode="single-row", key="places_table", width="stretch",
                 column_config={"confidence": st.column_config.NumberColumn(format="%.2f"),
                                "name": st.column_config.TextColumn("name", help="Select a row to show the place")})


def export_view(places: pd.DataFrame, popups: pd.DataFrame, filters: Filters) -> None:
    st.caption(f"Exports follow the filters: {len(places)} place(s), {int(places.mentions.sum())} mention(s).")
    col1, col2, col3, col4 = st.columns(4)
    # The files are made when a button is clicked, from the store's rows for these filters.
    empty = places.empty
    col1.download_button("Download map (HTML)",
                         data=lambda: export.map_html(places, popups, filtered_timeline(store(), filters)),
                         file_name="places-map.html", mime="text/html", on_click="ignore", disabled=empty,
                         help="One file that works offline, popups included")
    col2.download_button("Download GeoJSON",
                         data=lambda: json.dumps(export.geojson(store().mentions(filters)), ensure_ascii=False),
                         file_name="mentions.geojson", mime="application/geo+json", on_click="ignore",
                         disabled=empty, help="One point per mention")
    col4.download_button("Download KML", data=lambda: export.kml_text(places, popups), file_name="places.kml",
                         mime="application/vnd.google-earth.kml+xml", on_click="ignore", disabled=empty,
                         help="For Google Earth: one placemark per place, with its sentences")
    col3.download_button("Download CSV", data=lambda: export.csv_text(store().mentions(filters)),
                         file_name="mentions.csv",
                         mime="text/csv", on_click="ignore", disabled=empty, help="One row per mention")

# -- page --------------------------------------------------------------------------------------


def is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:  # a host name, or "" (every interface)
        return False


def serving_warnings() -> None:
    """Say on the page when the dashboard is reachable from the network or cannot serve the map's files."""
    address = st.get_option("server.address") or ""
    if not is_loopback(address):
        notice(f"This dashboard listens on {address or 'every network interface'}: anyone who can reach its "
               "port can read and change the store. To keep it on this machine, start it with "
               "“python -m geodata dashboard” (or “make run”).", "warning")
    if not st.get_option("server.enableStaticServing"):
        notice("Static file serving is off, so the map cannot load its scripts and stays blank. Start the "
               "dashboard with “python -m geodata dashboard” (or “make run”), which turns it on.", "error")


def main() -> None:
    static_assets()
    st.html(STYLE)
    st.title("Places in the news")
    serving_warnings()
    try:
        db = store()
    except (StoreError, SettingsError) as exc:
        notice(f"{exc}. Point GEODATA_HOME at another folder, or move that file away."
               if isinstance(exc, StoreError) else f"Setting not usable: {exc}", "error")
        st.stop()
    if db.readonly:
        notice(f"{db.path} is read-only: the dashboard shows it, but adding articles, corrections and "
               "deletions are not possible.", "info")
    else:
        first_run()
    summary, articles = overview(db.revision())
    filters = sidebar_filters(summary, articles)
    geocoder_status()
    places = summary if filters == Filters() else db.place_summary(filters)
    popups = db.mentions(filters, per_place=maps.POPUP_SENTENCES, columns=maps.POPUP_COLUMNS)
    n_mentions, n_articles = db.totals(filters)
    st.caption(f"{len(places)} place(s), {n_mentions} mention(s) in {n_articles} article(s) "
               f"shown, of {len(articles)} article(s) stored.")
    search_box(db, url_params())
    if places.empty:
        if articles.empty:
            st.info("The store is empty: add articles in the “Add articles” tab.")
        else:
            st.warning("No place matches the filters.")
            if filters != Filters():
                st.button("Clear filters", on_click=clear_filters, key="clear_filters_main")
    selected = selected_place()
    narrowed = filters.narrowed(selected) if selected else None
    place_rows = db.mentions(narrowed) if narrowed else db.mentions(limit=0)  # the selected place's mentions
    left, right = st.columns([2, 1])
    with left:
        map_view(places, popups, selected)
        timeline_view(db, filters)
    with right:
        if selected:
            with st.container(height=MAP_HEIGHT, border=True):
                place_panel(selected, place_rows)
        else:
            st.info("Click a marker or a row of the table to read the sentences about a place.")
    tabs = st.tabs(TABS, key="tab", bind="query-params")
    with tabs[0]:
        if tabs[0].open:
            places_table(places)
    with tabs[1]:
        if tabs[1].open:
            article_view(articles, filters)
    with tabs[2]:
        if tabs[2].open:
            add_articles()
    with tabs[3]:
        if tabs[3].open:
            corrections_view(selected, place_rows)
    with tabs[4]:
        if tabs[4].open:
            export_view(places, popups, filters)
    with tabs[5]:
        if tabs[5].open:
            review_view(filters)


main()
