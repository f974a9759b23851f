"""Where an article was published: the country of the outlet's country domain ("moscowtimes.ru",
"news.bbc.co.uk", "dailystar.com.lb"), and the division its other articles are mostly about (`OutletHomes`).

The resolver counts either as one more place of the article (`Context`): "Moscow" in the Moscow Times is
the Russian capital even when the article also names Baltimore and St. Petersburg. A generic domain
(".com") says nothing, nor do country domains that sites anywhere use for their letters (".io", ".tv").
A town outside the home gives way to a bigger town of its name in it (`at_home`).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from ..gazetteer.sources import country_names
from ..records import ParsedDocument
from .context import Division
from .features import Choice, same_point

# Country domains used for their letters ("youtu.be", "bit.ly", "x.ai"), and ones that name no country.
GENERIC_COUNTRY_DOMAINS = frozenset({"ai", "am", "be", "cc", "co", "eu", "fm", "gg", "io", "la", "ly", "me", "nu",
                                     "su", "to", "tv", "ws"})
DOMAIN_COUNTRY = {"uk": "GB"}  # the one country domain that is not its country's ISO code
COUNTRIES = frozenset(country_names())  # the ISO codes of the gazetteer's countries


def outlet_host(url: str | None) -> str | None:
    """The outlet an address is of: its host, without "www." ("star-telegram.com"), in its ASCII form ("bücher.de"
    and "xn--bcher-kva.de" are one outlet); None for none."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".") if url else ""
    except ValueError:
        return None
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # no valid domain name ("a..b"): the host as written
    return host.removeprefix("www.") or None


def outlet_country(url: str | None) -> str | None:
    """The ISO code of the country whose domain the address is under; None for none (a generic domain,
    an IP address, no address: a file or pasted text)."""
    labels = (outlet_host(url) or "").split(".")
    top = labels[-1]
    if len(labels) < 2 or len(top) != 2 or not top.isalpha() or top in GENERIC_COUNTRY_DOMAINS:
        return None
    country = DOMAIN_COUNTRY.get(top, top.upper())
    return country if country in COUNTRIES else None


# An article's sure placements that tell where its outlet is at home: towns and counties, at this confidence.
HOME_CONFIDENCE = 0.8
HOME_FEATURES = frozenset({"ADM2", "ADM3"})  # besides towns (feature class P)
HOME_ARTICLES = 2  # other articles of the outlet with such a placement, at least
HOME_SHARE = 0.5  # of which at least this share place one in the home division

# A placement as `OutletHomes` reads it: the article's address (an article is known by it: an edited version
# fetched again is the same article), and the place's country, first-level division, feature class and code,
# with the placement's confidence.
Placement = tuple[str | None, str | None, str | None, str | None, str | None, float]


def placements(parsed: Iterable[ParsedDocument]) -> Iterator[Placement]:
    """Parsed articles' placements, the title's with the text's (as a store holds them)."""
    return ((p.document.url, m.place.country, m.place.admin1, m.place.feature_class, m.place.feature_code,
             m.confidence) for p in parsed for m in (*p.mentions, *p.title_mentions) if m.place is not None)


def _tells_home(feature_class: str | None, feature_code: str | None, confidence: float) -> bool:
    """Whether a placement in a division says where its outlet is at home: a town or county placed surely."""
    return confidence >= HOME_CONFIDENCE and (feature_class == "P" or feature_code in HOME_FEATURES)


def tellings(placements: Iterable[Placement]) -> Iterator[tuple[str, Division]]:
    """(address, division) for each placement that tells where its outlet is at home (a town or county placed
    surely in a first-level division), of an article with an address."""
    for url, country, admin1, feature_class, feature_code, confidence in placements:
        if url and country and admin1 and _tells_home(feature_class, feature_code, confidence):
            yield url, (country, admin1)


def told(parsed: ParsedDocument) -> frozenset[Division]:
    """The divisions an article's placements tell its outlet is at home in (`tellings`)."""
    return frozenset(division for _, division in tellings(placements([parsed])))


class OutletHomes:
    """Where each outlet is at home, from its articles' sure placements of towns and counties: the first-level
    division that at least half of its other articles place one in, when two or more place any. A local paper's
    stories are mostly about its own state: "Paris" in a story of The Paris News is Paris, Texas, when its other
    stories place Clarksville and Lamar County in Texas. The resolver counts an article's home as one sure place
    of it, in place of its outlet's country (`outlet_country`). Built from placements, or from what articles tell
    (`told`: Dask's partitions keep it)."""

    def __init__(self, placements: Iterable[Placement] = (), told: Iterable[tuple[str, Iterable[Division]]] = ()):
        self._articles: dict[str, dict[str, set[Division]]] = {}  # outlet -> article's address -> divisions
        self._counts: dict[str, Counter[Division]] = {}  # outlet -> how many of its articles place one in each
        self._read(itertools.chain(tellings(placements), ((url, d) for url, divisions in told for d in divisions)))

    def _read(self, tells: Iterable[tuple[str, Division]]) -> None:
        """Add (address, division) tellings; an outlet's articles are copied before its first change (`extended`
        shares the rest)."""
        touched: set[str] = set()
        for url, division in tells:
            outlet = outlet_host(url)
            if outlet is None:
                continue
            if outlet not in touched:
                touched.add(outlet)
                self._articles[outlet] = {u: set(d) for u, d in self._articles.get(outlet, {}).items()}
            self._articles[outlet].setdefault(url, set()).add(division)
        for outlet in touched:
            self._counts[outlet] = Counter(d for divisions in self._articles[outlet].values() for d in divisions)

    def extended(self, placements: Iterable[Placement]) -> OutletHomes:
        """These homes with `placements` read too (a batch's, after a store's), leaving these unchanged: only the
        outlets the new placements are of are copied and counted again."""
        homes = OutletHomes()
        homes._articles, homes._counts = dict(self._articles), dict(self._counts)
        homes._read(tellings(placements))
        return homes

    def home(self, url: str | None) -> Division | None:
        """The home of the outlet of `url`, from its articles other than the one at `url`; None when they
        settle none."""
        outlet = outlet_host(url)
        if outlet not in self._articles:
            return None
        articles, counts = self._articles[outlet], self._counts[outlet]
        own = articles.get(url or "", set())
        others = len(articles) - (url in articles)
        if others < HOME_ARTICLES:
            return None
        ranked = sorted(((n - (d in own), d) for d, n in counts.items()), reverse=True)[:2]
        (count, division), runner_up = ranked[0], (ranked[1][0] if len(ranked) > 1 else 0)
        return division if count >= HOME_SHARE * others and count > runner_up else None


HOME_NOTE = "a town outside the outlet's home: placed at a bigger town of its name there"


def at_home(choice: Choice, home: Division | None) -> Choice:
    """The choice, with a bigger town of the name in the outlet's home division (`outlet.py`) put first when the
    winner is a town of the same country outside it that no state or country after the name puts there (the
    caller leaves out a name the text puts in a place: "Pennsylvania's Franklin"): a Kentucky paper's "Richmond"
    is Richmond, Kentucky, though the article's "Madison County" and "Louisiana" draw it to Richmond, Louisiana (543
    people). A town abroad is no local namesake's rival (a Pennsylvania paper's Bethlehem beside Ramallah)."""
    winner = choice.winner
    if home is None or home[1] is None or winner is None or winner.place.feature_class != "P":
        return choice
    if winner.place.country != home[0] or winner.place.admin1 == home[1] or winner.named().get("qualifier", 0.0) > 0:
        return choice
    local = next((s for s in choice.ranked[1:] if (s.place.country, s.place.admin1) == home
                  and s.place.feature_class == "P" and s.place.population > winner.place.population
                  and not same_point(s.place, winner.place) and s.score > choice.none), None)
    if local is None:
        return choice
    return Choice([local, *(s for s in choice.ranked if s is not local)], choice.ruled_out, choice.none)
