"""How the dashboard shows text it did not write.

Article text, titles, sources, file names, place names and URL parameters may come from an attacker.
Streamlit renders markdown (links, images, `:material/...:` icons, colours, LaTeX) in `st.error`,
`st.caption` and friends, so none of those ever receives such a string: `notice` shows a message as
escaped HTML through `st.html` (which renders no markdown and runs no script), and `esc` escapes a
value for the dashboard's own HTML. Nothing else in the app shows untrusted text.
"""

from __future__ import annotations

import html
from typing import Any, Literal

import streamlit as st

from geodata import maps

Kind = Literal["error", "warning", "info", "success", "note"]

STYLE = """<style>
.gd-panel-head {font-size: 1.25rem; font-weight: 600; margin: 0 0 .2rem 0; overflow-wrap: anywhere;}
.gd-dot {display: inline-block; width: .8rem; height: .8rem; border-radius: 50%; margin-right: .4rem;
         vertical-align: baseline; opacity: .85;}
.gd-details {color: #555; font-size: .85rem; margin-bottom: .5rem; overflow-wrap: anywhere;}
.gd-sentence {border-left: 3px solid #d0d7de; padding: .15rem 0 .15rem .6rem; margin: .5rem 0;
              line-height: 1.45; overflow-wrap: anywhere;}
.gd-sentence .gd-meta {display: block; color: #666; font-size: .75rem;}
.gd-art-head {font-weight: 600; font-size: .85rem; margin: .8rem 0 .2rem 0; overflow-wrap: anywhere;}
.gd-art-head .gd-meta {font-weight: 400; color: #666;}
.gd-sentence mark, .gd-article mark {background: #ffe58a; padding: 0 .1rem; border-radius: 2px;}
.gd-article {line-height: 1.6; max-width: 52rem; overflow-wrap: anywhere;}
.gd-article a {text-decoration: none; color: inherit;}
.gd-article a:hover mark {background: #ffc53d;}
.gd-article mark.gd-unresolved {background: #e5e5e5;}
.gd-sentence mark.gd-reason {background: none; border-bottom: 2px dashed #b8860b;}
.gd-notice {padding: .6rem .9rem; border-radius: .5rem; margin: .15rem 0 .4rem 0; font-size: .92rem;
            line-height: 1.45; white-space: pre-wrap; overflow-wrap: anywhere;}
.gd-error {background: #fdecea; color: #7d1a12;}
.gd-warning {background: #fff6db; color: #6b4b00;}
.gd-info {background: #e8f1fb; color: #0b3d6e;}
.gd-success {background: #e7f6ea; color: #14532d;}
.gd-note {color: #555; font-size: .85rem; padding: 0; background: none;}
</style>"""


def esc(value: object) -> str:
    """Text for HTML: escaped, with a missing value (None, NaN) as nothing."""
    return html.escape(maps.text(value))


def notice(message: str, kind: Kind = "info", where: Any = st) -> None:
    """A message box whose text is shown exactly as given: no markdown, no HTML. `where`: `st`,
    `st.sidebar` or a container."""
    role = "alert" if kind == "error" else "status"
    where.html(f"<div class='gd-notice gd-{kind}' role='{role}'>{esc(message)}</div>")
