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
_ENGLISH_NAME = re.compile(rf"^(?P<base>[^\W\d][\w'’ -]*?) (?:{'|'.join(ENGLISH_DESIGNATORS)})$")


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


def english_name(name: str, aliases: Iterable[str], town_names: set[str]) -> str:
    """The division's display name: its English name where the sources have one.

    Only a name with a designator or with letters outside ASCII is replaced. The bare name is used when
    the sources give it ("Sichuan", "Zhejiang") and no town there bears it (`town_names`, normalised);
    else the English name with its designator ("Kharkiv Oblast", "Beijing Municipality"); else the name."""
    bare = without_designator(name)
    if bare is None and name.isascii():
        return name
    english = next((m for m in map(_ENGLISH_NAME.match, aliases) if m and m.group("base").strip()), None)
    known = {normalize(a) for a in aliases}
    bases = ([english.group("base").strip()] if english else []) + ([bare] if bare else [])
    usable = next((b for b in bases if normalize(b) in known and normalize(b) not in town_names), None)
    return usable or (english.group(0) if english else name)
