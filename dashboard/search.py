"""The search box (`q=` in the URL): places as the articles spell them or by any of their gazetteer names,
then sentences by their words.

Results are shown through `ui` only (escaped); each links to its place and to its article."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.context import gazetteer
from dashboard.state import link
from dashboard.ui import esc, notice
from geodata import maps
from geodata.gazetteer import GazetteerError
from geodata.store import Store

RESULTS = 50


def search_box(store: Store, params: dict[str, list[str]]) -> None:
    if "search_q" not in st.session_state:
        st.session_state["search_q"] = st.query_params.get("q", "")
    query = st.text_input("Search", key="search_q", placeholder="A place by any of its names, or words of a "
                          "sentence", label_visibility="collapsed")
    if not query.strip():
        if "q" in st.query_params:
            del st.query_params["q"]
        return
    if st.query_params.get("q") != query:
        st.query_params["q"] = query
    try:
        names = gazetteer()
    except GazetteerError as exc:  # places are then found as the articles spell them only
        notice(f"Searching without the gazetteer's names: {exc}", "warning")
        names = None
    results = store.search(query, limit=RESULTS, gazetteer=names)
    if results.empty:
        notice(f"Nothing found for “{query}”.", "note")
        return
    more = " (the first ones)" if len(results) == RESULTS else ""
    notice(f"{len(results)} sentence(s) found for “{query}”{more}.", "note")
    if note := results.attrs.get("note"):  # words of over RANK_BELOW sentences: unranked
        notice(f"{note[:1].upper()}{note[1:]}.", "note")
    with st.container(height=260, border=True):
        st.html("".join(result_html(row, params) for row in results.itertuples()))


def result_html(row: object, params: dict[str, list[str]]) -> str:
    """One found sentence: its article (a link to it), date, and the place it names (a link to select it)."""
    article = link(params, doc=str(int(row.article_id)), tab="Article")
    where = (f" · <a href='{esc(link(params, selected=row.place_id))}' target='_self'>{esc(row.place_name)}</a>"
             if not pd.isna(row.place_id) else " · words")
    head = (f"<a href='{esc(article)}' target='_self'>{esc(maps.text(row.title) or '(untitled)')}</a>"
            f" · {esc(maps.text(row.published) or 'no date')}{where}")
    return f"<div class='gd-sentence'><span class='gd-meta'>{head}</span>{esc(row.sentence)}</div>"
