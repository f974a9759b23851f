"""Where an article was published, as its address says: the country of the outlet's country domain
("moscowtimes.ru", "news.bbc.co.uk", "dailystar.com.lb").

The resolver counts it as one more place of the article (`Context`): "Moscow" in the Moscow Times is
the Russian capital even when the article also names Baltimore and St. Petersburg. A generic domain
(".com") says nothing, nor do country domains that sites anywhere use for their letters (".io", ".tv").
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..gazetteer.sources import country_names

# Country domains used for their letters ("youtu.be", "bit.ly", "x.ai"), and ones that name no country.
GENERIC_COUNTRY_DOMAINS = frozenset({"ai", "am", "be", "cc", "co", "eu", "fm", "gg", "io", "la", "ly", "me", "nu",
                                     "su", "to", "tv", "ws"})
DOMAIN_COUNTRY = {"uk": "GB"}  # the one country domain that is not its country's ISO code
COUNTRIES = frozenset(country_names())  # the ISO codes of the gazetteer's countries


def outlet_country(url: str | None) -> str | None:
    """The ISO code of the country whose domain the address is under; None for none (a generic domain,
    an IP address, no address: a file or pasted text)."""
    if not url:
        return None
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return None
    labels = host.split(".")
    top = labels[-1]
    if len(labels) < 2 or len(top) != 2 or not top.isalpha() or top in GENERIC_COUNTRY_DOMAINS:
        return None
    country = DOMAIN_COUNTRY.get(top, top.upper())
    return country if country in COUNTRIES else None
