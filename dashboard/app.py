"""Streamlit dashboard: a map of the places in the stored articles, linked to their sentences.

Run with `make run` (or `streamlit run dashboard/app.py`). All geoparsing happens in `geodata`;
this file only lays out widgets and passes the user's choices to the library.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard.state import filters_from_params, params_from_filters
from geodata import assets, export, maps
from geodata.config import Settings
from geodata.documents import LoadResult, load_paths, read_bytes
from geodata.gazetteer import Gazetteer, open_gazetteer
from geodata.pipeline import Pipeline
from geodata.records import Document, Place
from geodata.store import Filters, Store

APP_DIR = Path(__file__).resolve().parent
SEEDS = APP_DIR.parent / "seeds"
KINDS = list(maps.KIND_COLOURS)

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
    return Store(settings().store_path)


@st.cache_resource
def gazetteer() -> Gazetteer:
    return open_gazetteer(settings().gazetteer_path)


@st.cache_resource
def geocoder_messages() -> list[str]:
    return []


@st.cache_resource
def pipeline() -> Pipeline:
    from geodata.geocoder import make_geocoder

    gaz = gazetteer()
    fallback = make_geocoder(settings(), gaz, notify=geocoder_messages().append)
    return Pipeline(settings(), gazetteer=gaz, fallback=fallback)


@st.cache_resource
def outlines() -> dict | None:
    return assets.country_outlines()


# -- ingest ------------------------------------------------------------------------------------

def ingest(documents: list[Document], label: str) -> int:
    """Geoparse documents with a progress bar; returns how many new articles were stored."""
    db = store()
    fresh = [d for d in documents if not db.has_text(d.text)]
    if not fresh:
        return 0
    bar = st.progress(0.0, text=f"{label}: loading the language model...")
    added = 0
    for i, parsed in enumerate(pipeline().parse(fresh), start=1):
        if db.add(parsed) is not None:
            added += 1
        bar.progress(i / len(fresh), text=f"{label}: {i}/{len(fresh)} geoparsed")
    bar.empty()
    return added


def show_load_problems(result: LoadResult) -> None:
    for error in result.errors:
        st.error(f"{error}", icon="⚠️")
    for note in result.notes:
        st.info(f"{note}")


def first_run() -> None:
    """An empty store gets the seed articles, once."""
    if store().counts()["articles"] == 0 and SEEDS.is_dir():
        loaded = load_paths([SEEDS])
        show_load_problems(loaded)
        ingest(loaded.documents, "Loading the sample articles")


# -- filters -----------------------------------------------------------------------------------

def sidebar_filters(summary: pd.DataFrame, articles: pd.DataFrame) -> Filters:
    """Sidebar widgets initialised from the URL; the URL follows every change."""
    current = filters_from_params({k: st.query_params.get_all(k) for k in st.query_params.keys()})
    bar = st.sidebar
    bar.header("Filters")
    names = dict(zip(summary.place_id, summary.name + " (" + summary.country.fillna("-") + ")"))
    places = bar.multiselect("Places", options=list(names), default=[p for p in current.places if p in names],
                             format_func=lambda pid: names.get(pid, pid), placeholder="All places")
    titles = dict(zip(articles.id, articles.title.fillna(articles.doc_id)))
    chosen_articles = bar.multiselect("Articles", options=list(titles),
                                      default=[a for a in current.articles if a in titles],
                                      format_func=lambda aid: titles.get(aid, str(aid)), placeholder="All articles")
    countries = sorted(c for c in summary.country.dropna().unique())
    chosen_countries = bar.multiselect("Countries", options=countries,
                                       default=[c for c in current.countries if c in countries],
                                       placeholder="All countries")
    kinds = bar.multiselect("Kinds", options=KINDS, default=[k for k in current.kinds if k in KINDS],
                            placeholder="All kinds")
    min_conf = bar.slider("Minimum confidence", 0.0, 1.0, float(current.min_confidence), 0.05)
    dates = sorted(d for d in articles.published.dropna().unique())
    date_from = date_to = None
    if dates:
        lo, hi = dates[0][:10], dates[-1][:10]
        date_from = bar.text_input("Published from (YYYY-MM-DD)", value=current.date_from or "", placeholder=lo) or None
        date_to = bar.text_input("Published to (YYYY-MM-DD)", value=current.date_to or "", placeholder=hi) or None
    demonyms = bar.toggle("Include demonyms (\"Syrian\")", value=current.demonyms)
    chosen = Filters(places=tuple(places), articles=tuple(chosen_articles), countries=tuple(chosen_countries),
                     kinds=tuple(kinds), min_confidence=min_conf, date_from=date_from, date_to=date_to,
                     demonyms=demonyms)
    if chosen != current:
        selected = st.query_params.get("selected")
        st.query_params.from_dict({**params_from_filters(chosen), **({"selected": selected} if selected else {})})
    return chosen


def geocoder_status() -> None:
    if settings().offline:
        st.sidebar.caption("Online geocoder: **off** (GEODATA_OFFLINE). Only the local gazetteer is used.")
    else:
        st.sidebar.caption(f"Online geocoder: **{settings().geocoder}** as fallback for unknown names.")
    for message in geocoder_messages():
        st.sidebar.warning(message)


# -- selection ---------------------------------------------------------------------------------

def select(place_id: str | None) -> None:
    if place_id and st.query_params.get("selected") != place_id:
        st.query_params["selected"] = place_id


def selected_place() -> str | None:
    return st.query_params.get("selected")


def mark_sentence(row: pd.Series) -> str:
    snippet = maps.Snippet(str(row.title or ""), row.sentence, int(row.sentence_start), int(row.sentence_end))
    return maps.highlight(snippet)


def place_panel(place_id: str, mentions: pd.DataFrame) -> None:
    place = store().place(place_id)
    if place is None:
        st.info("The selected place is not in the store any more.")
        return
    rows = mentions[mentions.place_id == place_id]
    st.subheader(place.name)
    details = [place.kind, place.country or "no country", f"{place.lat:.4f}, {place.lon:.4f}",
               f"GeoNames {place.geonameid}" if place.geonameid else "no GeoNames id", f"source: {place.source}"]
    st.caption(" · ".join(html.escape(d) for d in details))
    st.write(f"{len(rows)} mention(s) in {rows.article_id.nunique()} article(s) with the current filters")
    for row in rows.itertuples():
        meta = f"{row.title or '(untitled)'} · {row.published or 'no date'} · confidence {row.confidence:.2f}"
        st.markdown(f"<div class='gd-sentence'><small>{html.escape(meta)}</small><br>{mark_sentence(row)}</div>",
                    unsafe_allow_html=True)


# -- views -------------------------------------------------------------------------------------

def map_view(places: pd.DataFrame, mentions: pd.DataFrame) -> None:
    m = maps.build_map(places, mentions, outlines())
    assets.localize(m)
    out = st_folium(m, key="map", height=560, use_container_width=True,
                    returned_objects=["last_object_clicked_tooltip"])
    clicked = maps.place_id_from_tooltip((out or {}).get("last_object_clicked_tooltip"))
    if clicked and clicked != st.session_state.get("last_click"):
        st.session_state["last_click"] = clicked
        select(clicked)
        st.rerun()


def places_table(places: pd.DataFrame) -> None:
    table = places[["name", "country", "kind", "mentions", "articles", "confidence"]].copy()
    table["confidence"] = table.confidence.round(2)
    event = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row",
                         key="places_table", width="stretch")
    rows = event.selection.rows if event else []
    if rows:
        chosen = places.iloc[rows[0]].place_id
        if chosen != st.session_state.get("last_row"):
            st.session_state["last_row"] = chosen
            select(chosen)
            st.rerun()


def article_view(articles: pd.DataFrame) -> None:
    if articles.empty:
        st.info("No articles yet.")
        return
    titles = dict(zip(articles.id, articles.title.fillna(articles.doc_id)))
    article_id = st.selectbox("Article", options=list(titles), format_func=lambda a: titles[a])
    article = store().article(int(article_id))
    marks = store().article_mentions(int(article_id))
    st.caption(html.escape(f"{article['source'] or ''} · {article['published'] or 'no date'} · {article['origin'] or ''}"))
    st.markdown(f"<div class='gd-article'>{highlight_article(article['text'], marks)}</div>",
                unsafe_allow_html=True)


def highlight_article(text: str, marks: pd.DataFrame) -> str:
    """The article as escaped HTML, each toponym a link that selects its place."""
    parts, pos = [], 0
    base = {k: st.query_params.get_all(k) for k in st.query_params.keys() if k != "selected"}
    for m in marks.itertuples():
        if m.start < pos:
            continue
        parts.append(html.escape(text[pos:m.start]))
        surface = html.escape(text[m.start:m.end])
        if m.place_id:
            from urllib.parse import urlencode

            href = "?" + urlencode({**base, "selected": m.place_id}, doseq=True)
            tip = html.escape(f"{m.place_name} ({m.place_kind}, {m.country or '-'}) · confidence {m.confidence:.2f}")
            parts.append(f"<a href='{html.escape(href)}' target='_self' title='{tip}'><mark>{surface}</mark></a>")
        else:
            parts.append(f"<mark style='background:#eee' title='{html.escape(m.reason or 'unresolved')}'>"
                         f"{surface}</mark>")
        pos = m.end
    parts.append(html.escape(text[pos:]))
    return "".join(parts).replace("\n", "<br>")


def add_articles() -> None:
    files = st.file_uploader("Upload .txt, .md, .csv or .jsonl", type=["txt", "md", "csv", "jsonl"],
                             accept_multiple_files=True)
    pasted = st.text_area("...or paste an article", height=150)
    title = st.text_input("Title of the pasted article")
    if st.button("Geoparse and add", type="primary"):
        result = LoadResult()
        for upload in files or []:
            result.extend(read_bytes(upload.name, upload.getvalue()))
        if pasted.strip():
            result.extend(read_bytes("pasted.txt", pasted.encode("utf-8")))
            if title.strip():
                last = result.documents[-1]
                result.documents[-1] = Document(**{**last.__dict__, "title": title.strip(), "id": title.strip()})
        show_load_problems(result)
        added = ingest(result.documents, "Geoparsing")
        st.success(f"Added {added} article(s); {len(result.documents) - added} were already stored.")


def corrections_view(place_id: str | None, mentions: pd.DataFrame) -> None:
    if place_id is None:
        st.info("Select a place (click a marker or a table row) to correct its location.")
    else:
        correction_form(place_id, mentions)
    active = store().corrections()
    if not active.empty:
        st.markdown("**Active corrections**")
        for row in active.itertuples():
            col1, col2 = st.columns([5, 1])
            col1.write(f"{row.scope} `{row.key}` → {row.place_name} ({row.lat:.3f}, {row.lon:.3f})")
            if col2.button("Undo", key=f"undo-{row.id}"):
                store().undo(int(row.id))
                st.rerun()


def correction_form(place_id: str, mentions: pd.DataFrame) -> None:
    place = store().place(place_id)
    rows = mentions[mentions.place_id == place_id]
    names = sorted(set(rows.text))
    st.markdown(f"Correct **{html.escape(place.name)}**")
    scope = st.radio("Apply to", ["place", "name", "mention"], horizontal=True,
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
        if options:
            chosen = st.selectbox("Candidates", list(options), format_func=lambda pid: describe(options[pid]))
            target = options[chosen]
        else:
            st.caption("No gazetteer place by that name.")
    else:
        name = st.text_input("Name", value=place.name)
        col1, col2 = st.columns(2)
        lat = col1.number_input("Latitude", -90.0, 90.0, float(place.lat), format="%.5f")
        lon = col2.number_input("Longitude", -180.0, 180.0, float(place.lon), format="%.5f")
        target = Place(f"user:{lat:.5f},{lon:.5f}", name, lat, lon, place.country, "P" if place.kind ==
                       "populated place" else place.feature_class, None, source="user")
    if target is not None and st.button("Apply correction", type="primary"):
        store().correct(scope, key, target)
        select(target.id)
        st.rerun()


def describe(place: Place) -> str:
    pop = f", pop. {place.population:,}" if place.population else ""
    return f"{place.name} — {place.kind}, {place.country or '-'} ({place.lat:.2f}, {place.lon:.2f}){pop} [{place.source}]"


def export_view(places: pd.DataFrame, mentions: pd.DataFrame, filters: Filters) -> None:
    st.caption("Exports follow the filters.")
    col1, col2, col3 = st.columns(3)
    col1.download_button("Download map (HTML)", data=cached_html(filters, store_version()), file_name="places-map.html",
                         mime="text/html")
    col2.download_button("Download GeoJSON", data=json.dumps(export.geojson(mentions), ensure_ascii=False),
                         file_name="mentions.geojson", mime="application/geo+json")
    col3.download_button("Download CSV", data=export.csv_text(mentions), file_name="mentions.csv", mime="text/csv")


def store_version() -> tuple[int, ...]:
    counts = store().counts()
    return counts["articles"], counts["mentions"], counts["corrections"], len(store().corrections())


@st.cache_data(max_entries=8, show_spinner="Preparing the map file...")
def cached_html(filters: Filters, _version: tuple[int, ...]) -> str:
    places, mentions = export.view(store(), filters)
    return export.map_html(places, mentions)


# -- page --------------------------------------------------------------------------------------

def main() -> None:
    static_assets()
    st.title("Places in the news")
    first_run()
    db = store()
    summary, articles = db.place_summary(), db.articles()
    filters = sidebar_filters(summary, articles)
    geocoder_status()
    places, mentions = db.place_summary(filters), db.mentions(filters)
    st.caption(f"{len(places)} place(s), {len(mentions)} mention(s) in {mentions.article_id.nunique()} article(s) "
               f"shown, of {len(articles)} article(s) stored.")
    left, right = st.columns([2, 1])
    with left:
        map_view(places, mentions)
    selected = selected_place()
    with right:
        if selected:
            place_panel(selected, mentions)
        else:
            st.info("Click a marker or a row of the table to read the sentences about a place.")
    tabs = st.tabs(["Places", "Article", "Add articles", "Corrections", "Export"])
    with tabs[0]:
        places_table(places)
    with tabs[1]:
        article_view(articles)
    with tabs[2]:
        add_articles()
    with tabs[3]:
        corrections_view(selected, mentions)
    with tabs[4]:
        export_view(places, mentions, filters)


main()
