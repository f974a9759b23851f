"""The dashboard's articles: reading one with its toponyms linked, adding (upload, paste), deleting."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from dashboard.context import language_label, language_names, pipeline, settings, store, url_params, write, write_lock
from dashboard.state import as_id, link
from dashboard.ui import esc, notice
from geodata import maps
from geodata.documents import InputError, LoadResult, declare_language, load_paths, read_bytes
from geodata.language import SUPPORTED
from geodata.pipeline import ingest as geodata_ingest
from geodata.records import TITLE_SENTENCE, Document
from geodata.store import Filters, IngestReport, StoreError

if TYPE_CHECKING:
    from geodata.sources import Batch, WebSources


def ingest(documents: list[Document], label: str) -> IngestReport:
    """Geoparse documents with a progress bar; what was stored (nothing when the store refused it)."""
    bar = st.progress(0.0, text=f"{label}...")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"{label}: {done}/{total} geoparsed")

    try:
        report = geodata_ingest(documents, store(), pipeline, progress=progress, lock=write_lock())
    except StoreError as exc:  # disk full, read-only file...: say so; what was stored stays
        notice(f"Not all articles were stored: {exc}", "error")
        return IngestReport()
    finally:
        bar.empty()
    return report


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
        for note in ingest(loaded.documents, "Loading the sample articles").notes:
            notice(note, "info")


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
    in_title = marks.sentence == TITLE_SENTENCE  # the title is geoparsed too: its offsets are into it
    title = maps.text(article["title"])
    head = f"<p><strong>{highlight_article(title, marks[in_title], article_id)}</strong></p>" if title else ""
    language = language_label(article["language"]) + ("" if article["language"] in SUPPORTED else ", not geoparsed")
    meta = esc(" · ".join(str(v) for v in (article["source"], article["published"] or "no date", language) if v))
    if article["url"] and article["url"].startswith(("https://", "http://")):
        meta += f" · <a href='{esc(article['url'])}' target='_blank' rel='noopener noreferrer'>original</a>"
    body = highlight_article(article["text"], marks[~in_title], article_id)
    st.html(f"<div class='gd-details'>{meta}</div><div class='gd-article'>{head}{body}</div>")
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
    if not write(lambda db: db.delete_article(article_id), "delete_error", "Not deleted"):
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
            if m.reason:  # not the gazetteer's own answer (the article's town, a correction), or doubted: say so
                tip += f" · {m.reason}"
            parts.append(f"<a href='{esc(href)}' target='_self' title='{esc(tip)}'><mark>{surface}</mark></a>")
        else:
            parts.append(f"<mark class='gd-unresolved' title='{esc(m.reason or 'unresolved')}'>{surface}</mark>")
        pos = m.end
    parts.append(esc(text[pos:]))
    return "".join(parts).replace("\n", "<br>")


def fetch_web(addresses: list[str], result: LoadResult) -> tuple[WebSources, Batch] | None:
    """Fetch the articles and feeds at `addresses` into `result` (each failure an error naming its URL)."""
    if settings().offline:
        result.errors.append(InputError("web addresses", None, "offline (GEODATA_OFFLINE): nothing fetched"))
        return None
    from geodata.sources import WebSources  # trafilatura loads only when the web is asked for

    sources = WebSources(settings(), store())
    now = st.empty()  # the address being fetched: untrusted text, so by `notice` (st.progress shows markdown)
    bar = st.progress(0.0)

    def progress(done: int, total: int, url: str) -> None:
        notice(f"Fetching {done + 1} of {total}: {url}", "note", where=now)
        bar.progress(done / total)

    try:
        batch = sources.collect(addresses, progress=progress)
    finally:
        bar.empty()
        now.empty()
    result.extend(batch)
    return sources, batch


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
        addresses = st.text_area("...or web addresses of articles or RSS/Atom feeds, one per line", height=90)
        language = st.selectbox("Language", options=[None, *SUPPORTED], key="add_language",
                                format_func=lambda code: language_names().get(code, code) if code else "detect",
                                help="The language the articles are read in; “detect”: each its declared "
                                     "`language`, else the one detected in its text.")
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
    web = [line.strip() for line in addresses.splitlines() if line.strip()]
    sources = fetch_web(web, result) if web else None
    if not result.documents and not result.errors:
        st.warning("Nothing to add: choose files, paste some text or give web addresses.")
        return
    report = ingest(declare_language(result.documents, language), "Geoparsing")
    added = report.added
    if sources is not None:
        sources[0].remember(sources[1])  # the feeds polled and the items seen, as `watch` keeps them
    st.session_state["ingest_report"] = {
        "errors": [str(e) for e in result.errors], "notes": [*map(str, result.notes), *report.notes],
        "summary": f"Added {added} article(s); {len(result.documents) - added} already stored; "
                   f"{len(result.errors)} problem(s) in the input.",
    }
    st.rerun()  # the new places go on the map
