"""What every view of the dashboard reads: the process's resources (settings, store, gazetteer,
pipeline, map outlines), the URL's parameters, and the selected place (`selected` in the URL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from geodata import assets, maps
from geodata.basemap import Basemap
from geodata.config import Settings
from geodata.gazetteer import Gazetteer, open_gazetteer
from geodata.gazetteer import sources as gazetteer_sources
from geodata.pipeline import Pipeline
from geodata.store import Store, StoreError

APP_DIR = Path(__file__).resolve().parent
GEOCODER_CHECK_S = 180  # how long the sidebar trusts its last check of the online geocoder


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


def write(action: Callable[[Store], object], error_key: str, failure: str) -> bool:
    """Run a change of the store under the write lock (from a widget's callback); a `StoreError` is kept
    under `error_key` in the session, for the next run to show, and False returned."""
    try:
        with write_lock():
            action(store())
    except StoreError as exc:
        st.session_state[error_key] = f"{failure}: {exc}"
        return False
    return True


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


@st.cache_data(ttl=GEOCODER_CHECK_S, show_spinner=False)
def geocoder_unreachable() -> str | None:
    """Why the online geocoder cannot be reached (None: it can), checked at most every few minutes."""
    from geodata.geocoder import unreachable  # geopy loads only when the geocoder is on

    return unreachable(settings())


@st.cache_resource(show_spinner="Loading the language model (and the gazetteer, built on first use)...")
def pipeline() -> Pipeline:
    return Pipeline.from_settings(settings(), notify=geocoder_messages().append)


@st.cache_resource
def country_names() -> dict[str, str]:
    return gazetteer_sources.country_names()


@st.cache_resource
def language_names() -> dict[str, str]:
    """English names of languages by ISO 639 code, from CLDR ("fr": "French")."""
    from babel import Locale

    return dict(Locale("en").languages)


def language_label(code: str) -> str:
    """A language as the dashboard shows it: "French (fr)"; the bare code when CLDR does not name it."""
    name = language_names().get(code)
    return f"{name} ({code})" if name else code


def outlines() -> Basemap:
    """What the map draws under the markers: country outlines, the gazetteer's place names (once it is built)
    and tiles unless offline. Not cached here: the library caches its parts (a few ms a run)."""
    return assets.basemap(settings())


@st.cache_data(max_entries=4, show_spinner=False)
def overview(revision: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every place and every article (the filters' options), read again only when the store changes."""
    return store().place_summary(), store().articles()


def url_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params.keys()}


def select(place_id: str | None, move_map: bool = True) -> None:
    """Select a place (None clears). `move_map`: centre and zoom the map on it; not when it was clicked
    on the map, where it is in view already (and moving would push its popup out of the frame)."""
    if place_id:
        if st.query_params.get("selected") != place_id:
            st.query_params["selected"] = place_id
    elif "selected" in st.query_params:
        del st.query_params["selected"]
    st.session_state["move_to_selection"] = move_map
    st.session_state["selections"] = st.session_state.get("selections", 0) + 1


def selection_view(lat: float, lon: float, kind: str | None) -> tuple[tuple[float, float] | None, float | None]:
    """The centre and zoom to give `st_folium` for the selected place; (None, None) leaves the map where it is
    (after a click on the map). `st_folium` moves the map only to a centre or zoom that differs from the last
    one it was given, and keeps the map's current centre or zoom for the one that does not: selecting a place
    again, or another of the same kind after zooming out, moved nothing or only half. So each selection is
    given a centre and zoom of its own: a 1e-9 degree (0.1 mm) shift and a 1e-6 zoom fraction, which Leaflet
    snaps back to a whole zoom level. A new session (a link with `selected=`) starts with a new map."""
    if not st.session_state.get("move_to_selection", True):
        return None, None
    serial = st.session_state.get("selections", 0) % 1000
    return (float(lat) + serial * 1e-9, float(lon)), maps.selection_zoom(kind) + serial * 1e-6


def selected_place() -> str | None:
    return st.query_params.get("selected") or None
