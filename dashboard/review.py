"""The Review tab: the doubtful placements (those the map draws hollow), lowest confidence and most mentions
first, each with its sentences and candidates, to accept, move or mark "not a place" in one click."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from dashboard.context import store, write
from dashboard.corrections import applied_message, candidates, corrections_list, describe, place_words
from dashboard.ui import esc, notice
from geodata import maps
from geodata.filters import Filters
from geodata.records import Place

REVIEW_PAGE = 20  # names shown at once
REVIEW_SENTENCES = 3  # sentences shown for each name
REVIEW_CANDIDATES = 4  # other places offered for each name
SCOPES = {"articles": "only in the articles listed", "everywhere": "everywhere, also in articles added later"}


def act(name_key: str, article_ids: tuple[int, ...], place: Place | None) -> None:
    """A button's callback: point the name at `place` (None: not a place) in the scope chosen above."""
    everywhere = st.session_state.get("review_scope") == "everywhere"
    made: list[int] = []

    def change(db) -> None:
        made.extend(db.correct_name(name_key, place, None if everywhere else article_ids))

    if write(change, "review_error", "Not stored"):
        st.session_state["review_done"] = (applied_message(made), tuple(made))


def undo_last() -> None:
    ids = st.session_state.pop("review_done", ("", ()))[1]
    write(lambda db: db.undo(*ids), "review_error", "Could not undo")


def item_key(row: object) -> str:
    """A widget key for a queue row that stays the same across reruns (names may hold any character)."""
    return hashlib.sha1(f"{row.name_key}\0{row.place_id}".encode()).hexdigest()[:12]


def sentences_html(rows: pd.DataFrame) -> str:
    """The name's sentences, each under its article's title and date, then why a dashed mention is doubted or
    placed as it is (a river's point, the article's town)."""
    parts, snippets = [], []
    for row in rows.itertuples():
        snippet = maps.Snippet(maps.text(row.title), maps.text(row.sentence),
                               (maps.Mark(int(row.sentence_start), int(row.sentence_end), maps.text(row.reason)),))
        snippets.append(snippet)
        parts.append(f"<div class='gd-sentence'><span class='gd-meta'>{esc(snippet.title or '(untitled)')} · "
                     f"{esc(maps.text(row.published) or 'no date')}</span>{maps.highlight(snippet)}</div>")
    return "".join(parts) + maps.reason_notes(snippets)


def review_item(row: object, filters: Filters, readonly: bool) -> None:
    key = item_key(row)
    article_ids = tuple(int(a) for a in str(row.article_ids).split(","))
    current = store().place(row.place_id)
    where = place_words(current) if current is not None else maps.text(row.place_name)
    head = (f"<div class='gd-art-head'>“{esc(row.name)}” → {esc(where)}"
            f"<span class='gd-meta'> · {esc(row.kind)} · {int(row.mentions)} mention(s) in "
            f"{int(row.articles)} article(s) · confidence {row.confidence:.2f}</span></div>")
    narrowed = filters.narrowed(row.place_id) or filters
    rows = store().mentions(narrowed, limit=REVIEW_SENTENCES, name_key=row.name_key)
    st.html(head + sentences_html(rows))
    buttons = st.container(horizontal=True)
    buttons.button("Accept", key=f"rv-accept-{key}", on_click=act, args=(row.name_key, article_ids, current),
                disabled=readonly or current is None, help="Keep this place: the name is no longer doubtful")
    buttons.button("Not a place", key=f"rv-none-{key}", on_click=act, args=(row.name_key, article_ids, None),
                disabled=readonly, help="Hide these mentions from the map, tables, search and exports")
    others = [p for pid, p in candidates(maps.text(row.name)).items() if pid != row.place_id][:REVIEW_CANDIDATES]
    if others:
        st.caption("Or move it to another place by this name:")
    for i, place in enumerate(others):
        text, button = st.columns([4, 1])
        text.html(f"<div class='gd-details'>{esc(describe(place))}</div>")
        button.button("Move here", key=f"rv-move-{key}-{i}", on_click=act, args=(row.name_key, article_ids, place),
                      disabled=readonly)
    st.divider()


def review_view(filters: Filters) -> None:
    """The review queue for the sidebar's filters."""
    if "review_error" in st.session_state:
        notice(st.session_state.pop("review_error"), "error")
    if "review_done" in st.session_state:
        notice(st.session_state["review_done"][0], "success")
        st.button("Undo", key="review_undo", on_click=undo_last)
    # Doubtful is below the map's hollow-marker bound; the analyst may widen the queue (kept in the URL).
    below = st.slider("Review placements with a confidence below", 0.05, 1.0, value=maps.DOUBTFUL_BELOW,
                      step=0.05, key="below", bind="query-params")
    queue = store().doubtful_names(filters, below)
    if queue.empty:
        st.info(f"No doubtful placement (confidence below {below:g}) matches the filters.")
    else:
        st.caption(f"{len(queue)} doubtful name(s) (confidence below {below:g}) with the current "
                   f"filters, lowest confidence and most mentions first"
                   + (f"; the first {REVIEW_PAGE} are shown." if len(queue) > REVIEW_PAGE else "."))
        st.radio("Apply to", list(SCOPES), format_func=SCOPES.get, horizontal=True, key="review_scope")
        readonly = store().readonly
        for row in queue.head(REVIEW_PAGE).itertuples():
            review_item(row, filters, readonly)
    corrections_list()
