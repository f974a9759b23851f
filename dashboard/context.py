"""What every view of the dashboard reads: the process's resources (settings, store, gazetteer,
pipeline, map outlines), the URL's parameters, and the selected place (`selected` in the URL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from geodata import assets
from geodata.config import Settings
from geodata.gazetteer import Gazetteer, open_gazetteer
from geodata.gazetteer import sources as gazetteer_sources
from geodata.pipeline import Pipeline
from geodata.store import Store, StoreError

APP_DIR = Path(__file__).resolve().parent


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


@st.cache_resource(show_spinner="Loading the language model (and the gazetteer, built on first use)...")
def pipeline() -> Pipeline:
    return Pipeline.from_settings(settings(), notify=geocoder_messages().append)


@st.cache_resource
def country_names() -> dict[str, str]:
    return gazetteer_sources.country_names()


@st.cache_resource
def outlines() -> dict | None:
    return assets.country_outlines()


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


def selected_place() -> str | None:
    return st.query_params.get("selected") or None
