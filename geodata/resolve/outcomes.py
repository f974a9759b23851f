"""How a mention got its place, or none: the outcome `parse --explain` names and the calibration keeps one map
for (`calibration.py`), and the raw confidence of each outcome that places with a set one.

The best candidate (`BEST`), or the best candidate of a kind the resolver is less sure of than its share of the
candidates says (`SET_CONFIDENCE`, a ceiling on that share: a town nothing else in the article supports, or
only its country, a long river); the online geocoder; the famous place it is named after; the town the article
names most; the place the text puts it in; where the text puts it from a place (a distance and a direction, or
near it); too far from where the text puts it; or NONE.
"""

from __future__ import annotations

BEST, GEOCODER, NAMED_AFTER, ARTICLE_TOWN = "best candidate", "geocoder", "named after", "article's town"
UNSUPPORTED = "a small town nothing else in the article supports"  # `features.unsupported`, of a minor town
UNSUPPORTED_TOWN = "a town nothing else in the article supports"  # the same, of a bigger town (not a famous one)
COUNTRY_TOWN = "a town only its country supports"  # the same, the only one of its name in the article's country
RIVER = "a river, placed at one point of its course"
PLACE_SAID = "place the text puts it in"
BEARING = "where the text puts it from a place"
FAR = "too far from where the text puts it"  # "300 km from Mogadishu", of a Mahas in Jordan: no placement

# The confidence of a building or body placed at the town it is named after: near, not at, the place.
NAMED_AFTER_CONFIDENCE = 0.4
# The raw confidence of a name no gazetteer place bears placed at the article's town: in it, or near it.
ARTICLE_TOWN_CONFIDENCE = 0.3
# The raw confidence of a small town nothing else in the article supports (`features.unsupported`), at most its
# share of the candidates: on the evaluation corpora's development halves such towns were right once in 22 (their
# share, halved, had put most of them at 0.85 once calibrated, where a share of 0.5 is right that often).
UNSUPPORTED_CONFIDENCE = 0.1
# The same of a town of 15,000 to 100,000 people (`features.UNSUPPORTED_POPULATION`), most of them at 0.95 or more
# by their share of the candidates. On the development halves (the corpora weighing the same): right 3 times in 14
# (GWN 0 of 2, LGL 3 of 12: 0.125); when the article's other places lie in its country and it is the only place of
# its name there (`features.country_alone`, `COUNTRY_TOWN`: Gori of a story on Georgia), 10 times in 13 (GWN 2 of 3,
# LGL 8 of 10: 0.73). Set, not fitted: under the 30 placements a fit needs.
UNSUPPORTED_TOWN_CONFIDENCE = 0.15
COUNTRY_TOWN_CONFIDENCE = 0.7
# The raw confidence of a long river (`features.is_long_river`), placed at one point of its course: a story means
# the stretch where its places are, mostly more than 161 km from that point. Set, not fitted: the development
# halves hold two such placements.
RIVER_CONFIDENCE = 0.4
# The raw confidence of a placement at the point a distance and a direction from another place lead to: about
# there, by a distance the text rounds and one of eight directions. Set, not fitted: the corpora hold too few.
BEARING_CONFIDENCE = 0.6

# The outcomes placed with a set raw confidence (fitted, if the development halves hold enough: `devtools.calibrate`).
SET_CONFIDENCE = {NAMED_AFTER: NAMED_AFTER_CONFIDENCE, ARTICLE_TOWN: ARTICLE_TOWN_CONFIDENCE,
                  BEARING: BEARING_CONFIDENCE, UNSUPPORTED: UNSUPPORTED_CONFIDENCE,
                  UNSUPPORTED_TOWN: UNSUPPORTED_TOWN_CONFIDENCE, COUNTRY_TOWN: COUNTRY_TOWN_CONFIDENCE,
                  RIVER: RIVER_CONFIDENCE}
# The outcomes of a winner among the name's candidates (`features.Choice.winner`).
CHOSEN = frozenset({BEST, UNSUPPORTED, UNSUPPORTED_TOWN, COUNTRY_TOWN, RIVER})
