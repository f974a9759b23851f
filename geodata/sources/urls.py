"""URLs as the store keeps them: a canonical form in which tracking parameters, fragments, default
ports and letter case of scheme and host make no difference, so one story is one URL."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

from courlan import extract_domain

TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "_hs", "__hs", "oly_", "ga_")
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "li_fat_id",
    "igshid", "igsh", "mc_cid", "mc_eid", "mkt_tok", "vero_id", "vero_conv", "_ga", "_gl", "_openstat", "wt_mc",
    "cmpid", "ocid", "ns_source", "ns_mchannel", "ns_campaign", "at_medium", "at_campaign", "s_cid", "smid",
    "ito", "spm", "xtor",
})
"""Query parameters that only say where a click came from (matched case-insensitively)."""
DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")


def is_url(text: str) -> bool:
    """Whether a command-line argument is a URL (`scheme://...`, or `file:`), not a path."""
    match = _SCHEME.match(text)
    return bool(match) and (text[match.end():].startswith("//") or text.lower().startswith("file:"))


def is_tracking(key: str) -> bool:
    """Whether a query parameter's name marks it as tracking."""
    key = unquote(key).strip().lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _query(query: str) -> str:
    """The query without its tracking parameters, the others untouched and in order."""
    kept = [part for part in query.split("&") if part and not is_tracking(part.partition("=")[0])]
    return "&".join(kept)


def canonical(url: str) -> str:
    """The URL with scheme and host lower-cased, no user info, default port, fragment or tracking parameter,
    and `/` for an empty path. Raises ValueError for a URL that cannot be split (a bad port, bad brackets)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    port = parts.port
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    path = parts.path or ("/" if netloc else "")
    return urlunsplit((scheme, netloc, path, _query(parts.query), ""))


def host_of(url: str) -> str:
    """The URL's host, lower-case, '' when it has none."""
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""


def site_of(url: str) -> str:
    """The registered domain of the URL's host (`bbc.co.uk` for `amp.bbc.co.uk`, from the public suffix
    list shipped with courlan's `tld`), or the host itself (an IP address, `localhost`)."""
    return extract_domain(url, fast=True) or host_of(url)


def same_site(a: str, b: str) -> bool:
    """Whether two URLs are on one site. A page may name its canonical URL only on its own site, so it
    cannot claim another outlet's story (and keep that story out of the store)."""
    return bool(site_of(a)) and site_of(a) == site_of(b)
