"""First-level divisions by the names the news uses: the name without its designator ("Sichuan" for
"Sichuan Sheng", "Norrbotten" for "Norrbottens län"), and an English display name where the sources
have one ("Kharkiv Oblast" for "Kharkivska oblast"). Designators: `data/designators.csv`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from .normalize import normalize
from .sources import read_csv
from .wordlists import read_words

# The English words a source's English name of a division ends with ("Kharkiv Oblast", "Aleppo Governorate").
ENGLISH_DESIGNATORS = ("Autonomous Region", "Autonomous Okrug", "Autonomous Oblast", "Municipality", "Governorate",
                       "Province", "Region", "Oblast", "County", "Krai", "Republic")
ENGLISH_NAME = re.compile(rf"^(?P<base>[^\W\d][\w'’ -]*?) (?:{'|'.join(ENGLISH_DESIGNATORS)})$")
# An English name with its designator first ("Autonomous Republic of Crimea"), where there is none after.
ENGLISH_PREFIXED = re.compile(r"^(?:Autonomous Republic|Republic|Province|Region) of (?P<base>[^\W\d][\w'’ -]*)$")
# The English designator for a transliterated one, where the sources name a division by the adjective of one
# of its towns and give no English name ("Kurskaya oblast'": Kursk Oblast; "Minskaya voblasć": Minsk Region).
ENGLISH_FOR = {"oblast'": "Oblast", "oblast": "Oblast", "kray": "Krai", "voblasć": "Region", "oblysy": "Region"}
# What a Russian, Ukrainian or Belarusian adjective adds to a town's name (without its last vowel): Kursk-aya,
# Krasnodar-skiy, Tul-skaya (Tula), Kharkiv-ska.
_ADJECTIVE_ENDING = re.compile(r"(?:s?k(?:aya|iy|ij|yy|y|a|yi)|aya|iy)")
CENTRE_RANK = 2  # the town a division is named after is its centre: one of its two biggest, as a rule


@lru_cache(maxsize=1)
def designators() -> tuple[tuple[str, str], ...]:
    """(designator, "prefix" | "suffix"), longest first so "Uygur Zizhiqu" goes before "Zizhiqu"."""
    rows = [(row["designator"], row["position"]) for row in read_csv("designators.csv")]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


def _is_designator(words: str) -> bool:
    return any(words.casefold() == d.casefold() for d, _ in designators())


def without_designator(name: str) -> str | None:
    """The name without the designator it carries ("Sichuan Sheng" -> "Sichuan", "Tatarstan, Respublika"
    -> "Tatarstan", "Kraj Vysočina" -> "Vysočina"); None when it carries none, or when what is left is a
    compass word ("Western Province" is that division's whole name)."""
    base = None
    head, comma, tail = name.partition(", ")
    if comma and _is_designator(tail):
        base = head
    for designator, position in designators() if base is None else ():
        fold, word = name.casefold(), designator.casefold()
        if position == "suffix" and fold.endswith(" " + word):
            base = name[: -len(designator) - 1]
        elif position == "prefix" and fold.startswith(word + " "):
            base = name[len(designator) + 1:]
        if base is not None:
            break
    if base is None or not base.strip() or normalize(base) in read_words("directions.txt"):
        return None
    return base.strip()


def english_name(name: str, aliases: Iterable[str], town_names: set[str], towns: Iterable[str] = ()) -> str:
    """The division's display name: its English name where the sources have one.

    Only a name with a designator or with letters outside ASCII is replaced. The bare name is used when
    the sources give it ("Sichuan", "Zhejiang": the English name's base, or the name without its designator
    when there is no English name) and no town there bears it (`town_names`, normalised); else the English
    name with its designator ("Kharkiv Oblast", "Beijing Municipality"); else the one made from the town
    whose adjective names it (`towns`, the division's own, biggest first: `named_after_town`); else the
    name."""
    bare = without_designator(name)
    if bare is None and name.isascii():
        return name
    aliases = list(aliases)
    english = next((m for pattern in (ENGLISH_NAME, ENGLISH_PREFIXED) for m in map(pattern.match, aliases)
                    if m and m.group("base").strip()), None)
    known = {normalize(a) for a in aliases}
    after_town = None if english else named_after_town(name, towns)
    # the English name's base, else the source's without its designator, unless that is an adjective
    # ("Arkhangel'skaya": Arkhangelsk Oblast, "Kurskaya": Kursk Oblast)
    bases = [english.group("base").strip()] if english else [bare] if bare and not after_town else []
    usable = next((b for b in bases if normalize(b) in known and normalize(b) not in town_names), None)
    return usable or (english.group(0) if english else after_town or name)


def named_after_town(name: str, towns: Iterable[str]) -> str | None:
    """The English name of a division that the sources name by the adjective of one of its towns
    (`towns`, biggest first): "Kurskaya oblast'" -> "Kursk Oblast", "Krasnodarskiy kray" -> "Krasnodar Krai",
    "Tul'skaya oblast'" -> "Tula Oblast"; None when its designator has no English one here (`ENGLISH_FOR`)
    or no town's name is the adjective's stem ("Leningradskaya oblast'": Leningrad is Saint Petersburg
    now)."""
    bare = without_designator(name)
    english = ENGLISH_FOR.get(name[len(bare):].strip().casefold()) if bare and name.startswith(bare) else None
    if english is None:
        return None
    adjective = normalize(bare)
    for town in list(towns)[:CENTRE_RANK]:
        key = normalize(town)
        for stem in (key, key[:-1] if key[-1:] in ("a", "e", "o", "y") else None):
            if stem and len(stem) >= 3 and adjective.startswith(stem) \
                    and _ADJECTIVE_ENDING.fullmatch(adjective[len(stem):]):
                return f"{town.replace('’', '').replace(chr(39), '')} {english}"  # "Ryazan’": Ryazan Oblast
    return None
