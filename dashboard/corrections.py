"""Corrections: move a mention, a name or a place to another gazetteer place or to coordinates; undo."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.context import gazetteer, select, selected_place, store, write, write_lock
from dashboard.ui import esc, notice
from geodata.records import Place
from geodata.store import StoreError


def undo_correction(correction_id: int, scope: str, key: str, place_id: str) -> None:
    if not write(lambda db: db.undo(correction_id), "correction_error", "Could not undo"):
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
