"""Corrections: move a mention, a name or a place to another gazetteer place or to coordinates; the list of
corrections by the names the articles use, each with its undo."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

from dashboard.context import gazetteer, select, selected_place, store, write, write_lock
from dashboard.ui import esc, notice
from geodata import maps
from geodata.gazetteer import describe as gazetteer_describe
from geodata.records import Place
from geodata.store import StoreError

TITLE_CHARS = 60  # an article's title in a correction's label, cut beyond this
FORM_KEYS = ("corr_name", "corr_mention", "corr_query", "corr_candidate", "corr_label", "corr_lat", "corr_lon")
"""The correction form's fields that belong to one place: they start again when another place is selected."""
CURRENT = " (current place)"  # marks the selected place among the candidates


def candidates(query: str) -> dict[str, Place]:
    """Gazetteer places for a name typed or read: exact names first (primary names, then the most populous),
    then the places whose names start with it."""
    exact = sorted(gazetteer().lookup(query), key=lambda hit: (not hit[1], -(hit[0].population or 0)))
    return {p.id: p for p, _ in exact} | {p.id: p for p in gazetteer().search(query)}


def correction_label(row: object) -> str:
    """A correction as the user knows it (a row of `Store.corrections`): “Baghouz” in “<title>” → Hajīn,
    Dayr az Zawr, Syria (34.397, 40.857); “Salah”: not a place (everywhere); every mention of Al-Baghuz
    Fawqani, Dayr az Zawr, Syria → ..."""
    name = maps.text(row.name) or row.key
    title = maps.text(row.article_title, "(article deleted)")
    title = title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 1] + "…"
    subject = {"place": f"every mention of {stored_place_words(row.key) or name}",
               "name": f"“{name}”", "article": f"“{name}” in “{title}”",
               "mention": f"“{name}” in “{title}” (this mention)"}.get(row.scope, f"{row.scope} {name}")
    everywhere = " (everywhere)" if row.scope == "name" else ""
    if pd.isna(row.place_id):
        return f"{subject}: not a place{everywhere}"
    target = stored_place_words(row.place_id) or maps.text(row.place_name)
    return f"{subject}{everywhere} → {target} ({row.lat:.3f}, {row.lon:.3f})"


def place_words(place: Place) -> str:
    """"Garden City, South Carolina, United States": a place's name, division and country by their names."""
    return gazetteer_describe(gazetteer(), place)


def stored_place_words(place_id: str) -> str:
    """`place_words` of a place in the store; empty when it is not there."""
    place = store().place(place_id)
    return place_words(place) if place is not None else ""


def applied_message(correction_ids: Iterable[int]) -> str:
    """What the corrections just made do, in the words of the corrections list."""
    wanted = set(correction_ids)
    rows = store().corrections()
    return "Applied: " + "; ".join(correction_label(r) for r in rows.itertuples() if r.id in wanted)


def undo_correction(correction_id: int, scope: str, key: str, place_id: str | None) -> None:
    if not write(lambda db: db.undo(correction_id), "correction_error", "Could not undo"):
        return
    st.session_state.pop("correction_applied", None)
    st.session_state.pop("review_done", None)
    if place_id is not None and selected_place() == place_id:
        select(key if scope == "place" else None)


def corrections_list() -> None:
    """The active corrections, newest first, each with its Undo."""
    active = store().corrections()
    if active.empty:
        return
    st.markdown("**Active corrections**")
    for row in active.itertuples():
        col1, col2 = st.columns([5, 1])
        col1.text(correction_label(row))
        col2.button("Undo", key=f"undo-{row.id}", on_click=undo_correction, disabled=store().readonly,
                    args=(int(row.id), row.scope, row.key, None if pd.isna(row.place_id) else row.place_id))


def corrections_view(place_id: str | None, rows: pd.DataFrame) -> None:
    if "correction_error" in st.session_state:
        notice(st.session_state.pop("correction_error"), "error")
    if "correction_applied" in st.session_state:
        notice(st.session_state["correction_applied"], "success")
    if place_id is None:
        st.info("Select a place (click a marker or a table row) to correct its location.")
    elif store().place(place_id) is None:
        st.info("The selected place is not in the store.")
    else:
        correction_form(place_id, rows)
    corrections_list()


def follow_place(place_id: str) -> None:
    """The form's fields start again for another place; after a correction, which selects the place it points
    at, `corr_for` already names that place, so the user's choices are kept."""
    state = st.session_state
    if state.get("corr_for") != place_id:
        for key in FORM_KEYS:
            state.pop(key, None)
        state["corr_for"] = place_id
        state.pop("correction_applied", None)


def correction_form(place_id: str, rows: pd.DataFrame) -> None:
    """`rows`: the place's mentions that match the filters (their names and sentences are offered)."""
    follow_place(place_id)
    place = store().place(place_id)
    names = sorted(set(rows.text))
    st.html(f"Correct <b>{esc(place.name)}</b> ({esc(place.kind)}, {place.lat:.3f}, {place.lon:.3f})")
    scopes = ["place", "name", "mention"] if names else ["place"]
    scope = st.radio("Apply to", scopes, horizontal=True, key="corr_scope",
                     format_func={"place": "every mention of this place", "name": "every mention of a name",
                                  "mention": "one mention"}.get)
    if scope == "name":
        key = st.selectbox("Name", names, key="corr_name")
    elif scope == "mention":
        labels = {str(r.mention_id): f"{r.text} — {r.sentence[:80]}" for r in rows.itertuples()}
        key = st.selectbox("Mention", list(labels), format_func=labels.get, key="corr_mention")
    else:
        key = place_id
    how = st.radio("New location", ["gazetteer", "coordinates"], horizontal=True, key="corr_how",
                   format_func={"gazetteer": "another gazetteer place", "coordinates": "coordinates"}.get)
    target: Place | None = None
    if how == "gazetteer":
        query = st.text_input("Search the gazetteer", value=names[0] if names else place.name, key="corr_query")
        options = candidates(query)
        if options:
            chosen = st.selectbox("Candidates", list(options), key="corr_candidate",
                                  format_func=lambda pid: describe(options[pid]) + CURRENT * (pid == place_id))
            target = options[chosen]
        else:
            st.caption("No gazetteer place by that name: try another spelling, or coordinates.")
    else:
        name = st.text_input("Name", value=place.name, key="corr_label")
        col1, col2 = st.columns(2)
        lat = col1.number_input("Latitude", -90.0, 90.0, float(place.lat), format="%.5f", key="corr_lat")
        lon = col2.number_input("Longitude", -180.0, 180.0, float(place.lon), format="%.5f", key="corr_lon")
        target = Place(f"user:{lat:.5f},{lon:.5f}", name.strip() or place.name, lat, lon, place.country,
                       place.feature_class, place.feature_code, source="user")
    unchanged = target is not None and target.id == place_id
    if unchanged:
        st.caption("The mentions are at this place now: pick another one to move them.")
    if target is not None and st.button("Apply correction", type="primary", disabled=unchanged):
        try:
            with write_lock():
                cid = store().correct(scope, key, target)
        except StoreError as exc:
            notice(f"Correction not stored: {exc}", "error")
            return
        st.session_state["correction_applied"] = applied_message([cid])
        st.session_state["corr_for"] = target.id  # the new selection keeps the choices made here
        select(target.id)
        st.rerun()


def describe(place: Place) -> str:
    """"Garden City, South Carolina, United States — populated place (33.59, -79.01), pop. 9,209 [geonames]"."""
    pop = f", pop. {place.population:,}" if place.population else ""
    where = f"({place.lat:.2f}, {place.lon:.2f})"
    return f"{place_words(place)} — {place.kind} {where}{pop} [{place.source}]"
