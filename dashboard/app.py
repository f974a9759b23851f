"""Streamlit dashboard: a map of the places in the stored articles, linked to their sentences.

Run with `make run` (or `streamlit run dashboard/app.py`). All geoparsing happens in `geodata`;
this file only lays out widgets and passes the user's choices to the library.

The view lives in the URL: the filters (see `dashboard.state`), the selected place (`selected`),
the article shown (`doc`) and the open tab (`tab`).
"""

from __future__ import annotations

import ipaddress
import json
import threading
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard.state import FILTER_PARAMS, as_id, filters_from_params, link, url_changes
from dashboard.ui import STYLE, esc, notice
from geodata import assets, export, maps
from geodata.config import Settings, SettingsError
from geodata.filters import checked_dates
from geodata.documents import LoadResult, load_paths, read_bytes
from geodata.gazetteer import Gazetteer, open_gazetteer
from geodata.pipeline import Pipeline
from geodata.pipeline import ingest as geodata_ingest
from geodata.records import KINDS, Document, Place
from geodata.store import Filters, Store, StoreError

APP_DIR = Path(__file__).resolve().parent
MAP_HEIGHT = 560
PANEL_SENTENCES = 200
TABS = ["Places", "Article", "Add articles", "Corrections", "Export"]

st.set_page_config(page_title="Places in the news", layout="wide")

# -- resources (one per server process) -------------------------------------------------------

@st.cache_resource
def settings() -> Settings:
    return Settings()


@st.cache_resource
def static_assets() -> None:
    assets.install_static(APP_DIR / "static")


@st.cache_resource
def store() -> Store:
    """Writable, or read-only when the data folder or file is (the dashboard then only shows)."""
    return Store.for_viewing(settings().store_path)


@st.cache_resource
def write_lock() -> threading.Lock:
    """One writer at a time: every browser tab shares the store's connection."""
    return threading.Lock()


@st.cache_resource(show_spinner="Opening the gazetteer (built on first use: about 15 s)...")
def gazetteer() -> Gazetteer:
    return open_gazetteer(settings().gazetteer_path)


@st.cache_resource
def geocoder_messages() -> list[str]:
    return []


@st.cache_resource(show_spinner="Loading the language model (and the gazetteer, built on first use)...")
def pipeline() -> Pipeline:
    return Pipeline.from_settings(settings(), notify=geocoder_messages().append)


@st.cache_resource
def outlines() -> dict | None:
    return assets.country_outlines()


@st.cache_data(max_entries=4, show_spinner=False)
def overview(revision: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every place and every article (the filters' options), read again only when the store changes."""
    return store().place_summary(), store().articles()


def url_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params.keys()}


# -- ingest ------------------------------------------------------------------------------------

def ingest(documents: list[Document], label: str) -> int:
    """Geoparse documents with a progress bar; returns how many new articles were stored."""
    bar = st.progress(0.0, text=f"{label}...")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"{label}: {done}/{total} geoparsed")

    try:
        report = geodata_ingest(documents, store(), pipeline, progress=progress, lock=write_lock())
    except StoreError as exc:  # disk full, read-only file...: say so; what was stored stays
        notice(f"Not all articles were stored: {exc}", "error")
        return 0
    finally:
        bar.empty()
    return report.added


def show_load_problems(result: LoadResult) -> None:
    for error in result.errors:
        notice(str(error), "error")
    for note in result.notes:
        notice(str(note), "info")


def first_run() -> None:
    """An empty store gets the seed articles, once."""
    seeds = settings().seeds
    if store().counts()["articles"] == 0 and seeds.is_dir():
        loaded = load_paths([seeds])
        show_load_problems(loaded)
        ingest(loaded.documents, "Loading the sample articles")


# -- filters -----------------------------------------------------------------------------------

# Widget keys of the filters and their values when nothing is filtered.
FILTER_DEFAULTS: dict[str, object] = {
    "f_places": [], "f_articles": [], "f_countries": [], "f_kinds": [], "f_min_conf": 0.0,
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
        "f_min_conf": float(current.min_confidence), "f_from": current.date_from or "",
        "f_to": current.date_to or "", "f_demonyms": current.demonyms, "f_undated": current.undated,
    }
    for key, value in initial.items():
        if key not in st.session_state:
            st.session_state[key] = value
        if key in options:
            kept = [v for v in st.session_state[key] if v in options[key]]
            if kept != st.session_state[key]:
                st.session_state[key] = kept


def sidebar_filters(summary: pd.DataFrame, articles: pd.DataFrame) -> Filters:
    """Sidebar widgets initialised from the URL; the URL follows every change."""
    params = url_params()
    current = filters_from_params(params)
    names = dict(zip(summary.place_id, summary.name + " (" + summary.country.fillna("-") + ")"))
    titles = {int(a): t for a, t in zip(articles.id, articles.title.fillna(articles.doc_id))}
    countries = sorted(c for c in summary.country.dropna().unique())
    options = {"f_places": list(names), "f_articles": list(titles), "f_countries": countries, "f_kinds": list(KINDS)}
    new_session = "f_places" not in st.session_state
    init_filter_widgets(current, options)
    bar = st.sidebar
    bar.header("Filters")
    bar.multiselect("Places", options=options["f_places"], key="f_places",
                    format_func=lambda pid: names.get(pid, pid), placeholder="All places")
    bar.multiselect("Articles", options=options["f_articles"], key="f_articles",
                    format_func=lambda aid: titles.get(aid, str(aid)), placeholder="All articles")
    bar.multiselect("Countries", options=countries, key="f_countries", placeholder="All countries")
    bar.multiselect("Kinds", options=KINDS, key="f_kinds", placeholder="All kinds")
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
        kinds=tuple(state.f_kinds), min_confidence=float(state.f_min_conf), date_from=state.f_from or None,
        date_to=state.f_to or None, demonyms=bool(state.f_demonyms), undated=bool(state.f_undated)))
    for problem in problems:
        notice(f"{problem}. This bound is ignored.", "error", bar)
    if new_session:
        unknown = ([f"place {p}" for p in current.places if p not in names]
                   + [f"article {a}" for a in current.articles if a not in titles]
                   + [f"country {c}" for c in current.countries if c not in countries]
                   + [f"kind {k}" for k in current.kinds if k not in KINDS])
        if unknown:
            notice("Ignored from the link (not in the store): " + ", ".join(unknown), "note", bar)
    to_set, to_delete = url_changes(params, chosen)
    for key in to_delete:
        del st.query_params[key]
    for key, value in to_set.items():
        st.query_params[key] = value
    if chosen != Filters():
        bar.button("Clear filters", on_click=clear_filters, icon=":material/filter_alt_off:")
    return chosen


def geocoder_status() -> None:
    if settings().offline:
        st.sidebar.caption("Online geocoder: **off** (GEODATA_OFFLINE). Only the local gazetteer is used.")
    else:
        st.sidebar.caption(f"Online geocoder: **{settings().geocoder}** as fallback for unknown names.")
    for message in geocoder_messages():
        notice(message, "warning", st.sidebar)


# -- selection ---------------------------------------------------------------------------------

def select(place_id: str | None, move_map: bool = True) -> None:
    """Select a place (None clears). `move_map`: centre and zoom the map on it; not when it was clicked
    on the map, where it is in view already (and moving would push its popup out of the frame)."""
    if place_id:
        if st.query_params.get("selected") != place_id:
            st.query_params["selected"] = place_id
    elif "selected" in st.query_params:
        del st.query_params["selected"]
    st.session_state["move_to_selection"] = move_map


def selected_place() -> str | None:
    return st.query_params.get("selected") or None


def on_map_click() -> None:
    """st_folium's value changed: only a marker click does that (pan and zoom are not returned)."""
    out = st.session_state.get("map") or {}
    place_id = maps.place_id_from_tooltip(out.get("last_object_clicked_tooltip"))
    if place_id:
        select(place_id, move_map=False)


def sentence_html(row: object) -> str:
    snippet = maps.Snippet(maps.text(row.title), maps.text(row.sentence),
                           ((int(row.sentence_start), int(row.sentence_end)),))
    corrected = " · corrected" if pd.notna(row.correction_id) else ""
    meta = f"“{row.text}” · {row.kind} · confidence {row.confidence:.2f}{corrected}"
    return f"<div class='gd-sentence'><span class='gd-meta'>{esc(meta)}</span>{maps.highlight(snippet)}</div>"


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
        first = group.iloc[0]
        parts.append(f"<div class='gd-art-head'>{esc(maps.text(first.title) or '(untitled)')}"
                     f"<span class='gd-meta'> · {esc(maps.text(first.published) or 'no date')}</span></div>")
        parts += [sentence_html(row) for row in group.itertuples()]
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
    if not chosen.empty:
        row = chosen.iloc[0]
        ring = maps.selection_layer(row.lat, row.lon, int(row.mentions))
        if st.session_state.get("move_to_selection", True):
            center, zoom = (float(row.lat), float(row.lon)), maps.selection_zoom(row.kind)
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


def article_view(articles: pd.DataFrame, filters: Filters) -> None:
    if "delete_error" in st.session_state:
        notice(st.session_state.pop("delete_error"), "error")
    if filters.articles:
        articles = articles[articles.id.isin(filters.articles)]
    if articles.empty:
        st.info("No articles yet: add some in the “Add articles” tab.")
        return
    ids = [int(a) for a in articles.id]
    titles = dict(zip(ids, articles.title.fillna(articles.doc_id)))
    wanted = as_id(st.query_params.get("doc"))
    wanted_id = wanted if wanted in titles else ids[0]
    article_id = st.selectbox("Article", options=ids, index=ids.index(wanted_id), format_func=lambda a: titles[a])
    if article_id != wanted_id:
        st.query_params["doc"] = str(article_id)
    article = store().article(article_id)
    marks = store().article_mentions(article_id)
    meta = " · ".join(str(v) for v in (article["source"], article["published"] or "no date", article["origin"]) if v)
    body = highlight_article(article["text"], marks, article_id)
    st.html(f"<div class='gd-details'>{esc(meta)}</div><div class='gd-article'>{body}</div>")
    st.caption("Highlighted names link to their place (the filters are kept); grey ones were not resolved.")
    delete_article_button(article_id, maps.text(article["title"]) or article["doc_id"])


def delete_article_button(article_id: int, title: str) -> None:
    """Deleting takes two clicks: the second, on a button that names the article, confirms."""
    if st.session_state.get("confirm_delete") != article_id:
        st.button("Delete this article…", key="delete_article", icon=":material/delete:",
                  on_click=st.session_state.__setitem__, args=("confirm_delete", article_id),
                  disabled=store().readonly)
        return
    notice(f"Delete “{title}” with its mentions and their corrections? This cannot be undone.", "warning")
    col1, col2 = st.columns(2)
    col1.button("Delete permanently", key="delete_confirmed", type="primary", on_click=delete_article,
                args=(article_id,))
    col2.button("Cancel", key="delete_cancelled", on_click=st.session_state.pop, args=("confirm_delete", None))


def delete_article(article_id: int) -> None:
    st.session_state.pop("confirm_delete", None)
    try:
        with write_lock():
            store().delete_article(article_id)
    except StoreError as exc:
        st.session_state["delete_error"] = f"Not deleted: {exc}"
        return
    for key in ("doc", "selected"):  # the place may have gone with the article
        if key in st.query_params:
            del st.query_params[key]
    st.session_state["f_articles"] = [a for a in st.session_state.get("f_articles", []) if a != article_id]


def highlight_article(text: str, marks: pd.DataFrame, article_id: int) -> str:
    """The article as escaped HTML, each toponym a link that selects its place and keeps the filters."""
    params = url_params()
    parts, pos = [], 0
    for m in marks.itertuples():
        if m.start < pos:
            continue
        parts.append(esc(text[pos:m.start]))
        surface = esc(text[m.start:m.end])
        if m.place_id:
            href = link(params, selected=m.place_id, doc=str(article_id), tab="Article")
            tip = f"{m.place_name} ({m.place_kind}, {maps.text(m.country) or '-'}) · confidence {m.confidence:.2f}"
            parts.append(f"<a href='{esc(href)}' target='_self' title='{esc(tip)}'><mark>{surface}</mark></a>")
        else:
            parts.append(f"<mark class='gd-unresolved' title='{esc(m.reason or 'unresolved')}'>{surface}</mark>")
        pos = m.end
    parts.append(esc(text[pos:]))
    return "".join(parts).replace("\n", "<br>")


def add_articles() -> None:
    report = st.session_state.get("ingest_report")
    if report:
        for error in report["errors"]:
            notice(error, "error")
        for note in report["notes"]:
            notice(note, "info")
        notice(report["summary"], "success")
    with st.form("add_articles", clear_on_submit=True):
        files = st.file_uploader(f"Upload .txt, .md, .csv (a text column) or .jsonl (a `text` field), up to "
                                 f"{settings().max_file_mb} MB each", type=["txt", "md", "csv", "jsonl"],
                                 accept_multiple_files=True, max_upload_size=settings().max_file_mb)
        pasted = st.text_area("...or paste an article", height=150)
        title = st.text_input("Title of the pasted article")
        submitted = st.form_submit_button("Geoparse and add", type="primary")
    if not submitted:
        return
    result = LoadResult()
    for upload in files or []:
        result.extend(read_bytes(upload.name, upload.getvalue()))
    if pasted.strip():
        pasted_result = read_bytes("pasted.txt", pasted.encode("utf-8"))
        if title.strip() and pasted_result.documents:
            doc = pasted_result.documents[-1]
            pasted_result.documents[-1] = Document(**{**doc.__dict__, "title": title.strip(), "id": title.strip()})
        result.extend(pasted_result)
    if not result.documents and not result.errors:
        st.warning("Nothing to add: choose files or paste some text.")
        return
    added = ingest(result.documents, "Geoparsing")
    st.session_state["ingest_report"] = {
        "errors": [str(e) for e in result.errors], "notes": [str(n) for n in result.notes],
        "summary": f"Added {added} article(s); {len(result.documents) - added} already stored; "
                   f"{len(result.errors)} problem(s) in the input.",
    }
    st.rerun()  # the new places go on the map


def undo_correction(correction_id: int, scope: str, key: str, place_id: str) -> None:
    try:
        with write_lock():
            store().undo(correction_id)
    except StoreError as exc:
        st.session_state["correction_error"] = f"Could not undo: {exc}"
        return
    if selected_place() == place_id:
        select(key if scope == "place" else None)


def corrections_view(place_id: str | None, rows: pd.DataFrame) -> None:
    if "correction_error" in st.session_state:
        notice(st.session_state.pop("correction_error"), "error")
    if place_id is None:
        st.info("Select a place (click a marker or a table row) to correct its location.")
    elif store().place(place_id) is None:
        st.info("The selected place is not in the store.")
    else:
        correction_form(place_id, rows)
    active = store().corrections()
    if active.empty:
        return
    st.markdown("**Active corrections**")
    scopes = {"place": "every mention of", "name": "the name", "mention": "mention"}
    for row in active.itertuples():
        col1, col2 = st.columns([5, 1])
        col1.text(f"{scopes.get(row.scope, row.scope)} {row.key} → {row.place_name} ({row.lat:.3f}, {row.lon:.3f})")
        col2.button("Undo", key=f"undo-{row.id}", on_click=undo_correction,
                    args=(int(row.id), row.scope, row.key, row.place_id))


def correction_form(place_id: str, rows: pd.DataFrame) -> None:
    """`rows`: the place's mentions that match the filters (their names and sentences are offered)."""
    place = store().place(place_id)
    names = sorted(set(rows.text))
    st.html(f"Correct <b>{esc(place.name)}</b> ({esc(place.kind)}, {place.lat:.3f}, {place.lon:.3f})")
    scopes = ["place", "name", "mention"] if names else ["place"]
    scope = st.radio("Apply to", scopes, horizontal=True,
                     format_func={"place": "every mention of this place", "name": "every mention of a name",
                                  "mention": "one mention"}.get)
    if scope == "name":
        key = st.selectbox("Name", names)
    elif scope == "mention":
        labels = {str(r.mention_id): f"{r.text} — {r.sentence[:80]}" for r in rows.itertuples()}
        key = st.selectbox("Mention", list(labels), format_func=labels.get)
    else:
        key = place_id
    how = st.radio("New location", ["gazetteer", "coordinates"], horizontal=True,
                   format_func={"gazetteer": "another gazetteer place", "coordinates": "coordinates"}.get)
    target: Place | None = None
    if how == "gazetteer":
        query = st.text_input("Search the gazetteer", value=names[0] if names else place.name)
        options = {p.id: p for p, _ in gazetteer().lookup(query)} | {p.id: p for p in gazetteer().search(query)}
        options.pop(place_id, None)
        if options:
            chosen = st.selectbox("Candidates", list(options), format_func=lambda pid: describe(options[pid]))
            target = options[chosen]
        else:
            st.caption("No other gazetteer place by that name: try another spelling, or coordinates.")
    else:
        name = st.text_input("Name", value=place.name)
        col1, col2 = st.columns(2)
        lat = col1.number_input("Latitude", -90.0, 90.0, float(place.lat), format="%.5f")
        lon = col2.number_input("Longitude", -180.0, 180.0, float(place.lon), format="%.5f")
        target = Place(f"user:{lat:.5f},{lon:.5f}", name.strip() or place.name, lat, lon, place.country,
                       place.feature_class, place.feature_code, source="user")
    if target is not None and st.button("Apply correction", type="primary"):
        try:
            with write_lock():
                store().correct(scope, key, target)
        except StoreError as exc:
            notice(f"Correction not stored: {exc}", "error")
            return
        select(target.id)
        st.rerun()


def describe(place: Place) -> str:
    pop = f", pop. {place.population:,}" if place.population else ""
    where = f"({place.lat:.2f}, {place.lon:.2f})"
    return f"{place.name} — {place.kind}, {place.country or '-'} {where}{pop} [{place.source}]"


def export_view(places: pd.DataFrame, popups: pd.DataFrame, filters: Filters) -> None:
    st.caption(f"Exports follow the filters: {len(places)} place(s), {int(places.mentions.sum())} mention(s).")
    col1, col2, col3, col4 = st.columns(4)
    # The files are made when a button is clicked, from the store's rows for these filters.
    empty = places.empty
    col1.download_button("Download map (HTML)", data=lambda: export.map_html(places, popups),
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
    popups = db.mentions(filters, per_place=maps.POPUP_SENTENCES)
    n_mentions, n_articles = db.totals(filters)
    st.caption(f"{len(places)} place(s), {n_mentions} mention(s) in {n_articles} article(s) "
               f"shown, of {len(articles)} article(s) stored.")
    if places.empty:
        if articles.empty:
            st.info("The store is empty: add articles in the “Add articles” tab.")
        else:
            st.warning("No place matches the filters.")
            if filters != Filters():
                st.button("Clear filters", on_click=clear_filters, key="clear_filters_main")
    selected = selected_place()
    narrowed = filters.narrowed(selected) if selected else None
    place_rows = db.mentions(narrowed) if narrowed else popups.iloc[0:0]  # the selected place's mentions
    left, right = st.columns([2, 1])
    with left:
        map_view(places, popups, selected)
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


main()
