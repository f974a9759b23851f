"""An HTML page (fetched, or saved on disk) into a `Document`: the main text without the page's chrome
(menus, cookie banners, 'Read more' teasers, related links, comments), its title, publication date,
outlet and canonical URL, by trafilatura. Precision first: its own algorithm without the fallbacks
(readability, jusText, the whole body) that turn a page with no article (a section front, a login wall)
into its menus. Extraction never touches the network."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import trafilatura

from ..documents import BINARY_MAGIC
from ..records import Document
from .errors import FetchError
from .urls import canonical, host_of, is_url, same_site

logging.getLogger("trafilatura").setLevel(logging.ERROR)  # its warnings about odd HTML are not ours to show
logging.getLogger("htmldate").setLevel(logging.ERROR)

_CHROME_LABEL = (
    r"(?:read|see|view|show|load) (?:more|also|all)|also read|more (?:from|on|in|about) (?:this|the|our) \w+(?: \w+)?"
    r"|(?:related|recommended|popular|trending|top|latest|more) (?:stories|articles|news|content|links|reads?|videos?)"
    r"|most (?:read|popular|viewed|shared|watched)|advertisement|share (?:this|on) \w+"
    r"|(?:sign up|subscribe) (?:for|to) (?:our|the) newsletters?")
CHROME_LINE = re.compile(rf"(?:{_CHROME_LABEL})(?:\s*[:|>\u00bb\u203a]\s*[^.!?]*)?\.?", re.IGNORECASE)
"""A line that only points at the rest of the site: a label ("More From This Section", "Most read"), alone or
before a teaser's headline ("Read more: Floods close roads"). trafilatura drops such blocks when they are
marked up as one, not a lone heading or link left among the article's paragraphs (as its own filter drops
lines like "More on this" or "Print")."""


@dataclass(frozen=True)
class Hints:
    """What a feed says about its item, used where the page does not say it."""

    title: str | None = None
    published: str | None = None
    source: str | None = None


def _decode(body: bytes, charset: str | None) -> str | bytes:
    """Text in the server's charset when it names one we know; else the bytes, for trafilatura to detect."""
    if charset:
        try:
            return body.decode(charset, errors="replace")
        except LookupError:
            pass
    return body


def _url(declared: str | None, fetched: str | None) -> str | None:
    """The page's canonical URL: the one it declares when that is an http(s) URL on its own site (or the
    page is a saved file), else the URL it was fetched from, without tracking parameters."""
    if declared and is_url(declared) and declared.lower().startswith(("http://", "https://")):
        try:
            if fetched is None or same_site(declared, fetched):
                return canonical(declared)
        except ValueError:
            pass
    return canonical(fetched) if fetched else None


def _without_chrome(text: str) -> str:
    """The text without the lines that are only site navigation (`CHROME_LINE`)."""
    return "\n".join(line for line in text.split("\n")
                     if not CHROME_LINE.fullmatch(line.strip(" \t:|>\u00bb\u203a\u2026-\u2013\u2014")))


def _body_text(text: str, title: str | None) -> str:
    """The text without the headline repeated as its first line (the title is kept apart)."""
    first, _, rest = text.partition("\n")
    return rest if title and first.strip() == title.strip() and rest.strip() else text


def page_document(body: bytes, *, fetched_url: str | None, origin: str, charset: str | None = None,
                  hints: Hints = Hints(), name: str | None = None) -> Document:
    """The article in an HTML page. `fetched_url`: where it came from (None for a saved file); `origin`:
    what messages and the store call it; `name`: the document id when there is no URL. Raises
    `FetchError` when there is no article to read (binary data, no main text)."""
    for magic, what in BINARY_MAGIC.items():
        if body.startswith(magic):
            raise FetchError(f"this is {what}, not a web page")
    try:
        found = trafilatura.bare_extraction(
            _decode(body, charset), url=fetched_url, with_metadata=True, favor_precision=True, fast=True,
            include_comments=False, include_images=False, include_links=False, include_formatting=False)
    except Exception as exc:  # trafilatura on hostile markup: whatever it raises is this page's problem
        raise FetchError(f"could not read the page ({exc.__class__.__name__})") from None
    text = _without_chrome(found.text or "").strip() if found else ""
    if not text:
        raise FetchError("no article text found on the page")
    url = _url(found.url, fetched_url)
    title = found.title or hints.title
    return Document(id=url or name or origin, text=_body_text(text, title), title=title,
                    published=found.date or hints.published,
                    source=found.sitename or hints.source or (host_of(url) if url else None) or None,
                    origin=origin, url=url)
