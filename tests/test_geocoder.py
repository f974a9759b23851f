"""The online fallback against a real HTTP server on 127.0.0.1 that answers like Nominatim."""

from __future__ import annotations

import itertools
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from geodata.gazetteer import Gazetteer, open_gazetteer
from geodata.gazetteer.db import connect
from geodata.geocoder import (
    Geocoder,
    GeocoderConfigError,
    RetryPolicy,
    context_key,
    country_codes,
    make_geocoder,
    osm_feature,
    parse_geonames,
    parse_photon,
)
from geodata.records import Document, Place

from .conftest import require
from .fake_nominatim import AGENT, FAST, FakeNominatim, FakePlace, closed_port, online



@pytest.fixture
def gaz(gazetteer: Gazetteer, tmp_path: Path) -> Iterator[Gazetteer]:
    """A private copy of the session gazetteer, so geocoded places never leak into other tests."""
    path = tmp_path / "gazetteer.sqlite"
    target = sqlite3.connect(path)
    gazetteer.conn.backup(target)
    target.close()
    copy = open_gazetteer(path)  # same sources: opens without rebuilding
    yield copy
    copy.close()


@pytest.fixture
def server() -> Iterator[FakeNominatim]:
    with FakeNominatim() as fake:
        yield fake


def cache_rows(gaz: Gazetteer, query: str) -> list[tuple]:
    return gaz.conn.execute(
        "SELECT provider, query, context, request, place_id, raw, fetched_at FROM geocode_cache WHERE query = ?",
        (query,),
    ).fetchall()


def test_a_hit_is_cached_and_becomes_a_gazetteer_place(settings, gaz, server):
    server.add(FakePlace("Kafr Zubaydat", 35.2417, 40.4113, state="Deir ez-Zor Governorate"))
    assert not gaz.lookup("Kafr Zubaydat")
    config = online(settings, server.url)
    geocoder = Geocoder(config, gaz, retry=FAST)

    place = geocoder("Kafr Zubaydat", ["SY"])

    assert place is not None
    assert place.id.startswith("osm:node/") and place.source == "geocoder:nominatim"
    assert (place.lat, place.lon, place.country) == (35.2417, 40.4113, "SY")
    assert (place.feature_class, place.feature_code, place.kind) == ("P", "PPL", "populated place")
    assert place.admin1 == gaz.lookup("Deir ez-Zor")[0][0].admin1  # the state name, as a GeoNames admin1 code
    assert len(server.requests) == 1 and server.requests[0].headers["User-Agent"] == AGENT

    assert geocoder("Kafr Zubaydat", ["SY"]) == place  # from the cache
    assert Geocoder(config, gaz, retry=FAST)("kafr zubaydat", ["SY"]) == place  # a second run, same DB
    assert len(server.requests) == 1
    assert geocoder.status.requests == 1 and geocoder.status.from_cache == 1 and geocoder.status.online

    assert [p for p, _ in gaz.lookup("Kafr Zubaydat")] == [place]  # offline, through the gazetteer
    reopened = open_gazetteer(gaz.path)
    assert [p.id for p, _ in reopened.lookup("Kafr Zubaydat")] == [place.id]
    reopened.close()

    [(provider, query, context, request, place_id, raw, fetched_at)] = cache_rows(gaz, "kafr zubaydat")
    assert (provider, query, context, place_id) == ("nominatim", "kafr zubaydat", "SY", place.id)
    assert request.startswith(server.url + "/search?") and "q=Kafr+Zubaydat" in request
    assert '"osm_type": "node"' in raw and abs(fetched_at - time.time()) < 60


def test_requests_are_spaced_by_the_rate_limit(settings, gaz, server):
    geocoder = Geocoder(online(settings, server.url, geocoder_min_delay=0.3), gaz, retry=FAST)
    started = time.monotonic()
    for name in ("Qaryat Alif", "Qaryat Ba", "Qaryat Jim", "Qaryat Dal"):
        assert geocoder(name, ["SY"]) is None
    times = [r.time for r in server.requests]
    assert len(times) == 4
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # the limiter spaces the starts of requests; allow for jitter in their arrival
    assert min(gaps) >= 0.3 - 0.05 and times[-1] - times[0] >= 3 * 0.3 - 0.05, gaps
    assert time.monotonic() - started < 3


def test_a_slow_server_times_out_in_bounded_time(settings, gaz, server):
    server.add(FakePlace("Tall Sabbagh", 35.0, 40.0))
    server.delay = 3.0
    geocoder = Geocoder(online(settings, server.url, geocoder_timeout=0.3), gaz, retry=FAST)
    started = time.monotonic()
    assert geocoder("Tall Sabbagh", ["SY"]) is None
    elapsed = time.monotonic() - started
    # 3 attempts of 0.3 s plus back-offs of 0.05 and 0.1 s
    assert 0.9 <= elapsed < 2.5, elapsed
    assert len(server.requests) == FAST.retries + 1
    assert geocoder.status.faults == 1 and geocoder.status.online  # one slow answer is not an outage
    assert cache_rows(gaz, "tall sabbagh") == []  # a fault is not a miss


def test_repeated_faults_switch_offline_once(settings, gaz, server):
    server.delay = 3.0
    messages: list[str] = []
    geocoder = Geocoder(online(settings, server.url, geocoder_timeout=0.2), gaz, messages.append,
                        retry=RetryPolicy(retries=0, faults_before_offline=3))
    started = time.monotonic()
    assert all(geocoder(f"Mazraat {i}", ["SY"]) is None for i in range(20))
    assert time.monotonic() - started < 2.5
    assert len(server.requests) == 3
    assert len(messages) == 1 and "3 lookups in a row failed" in messages[0]
    assert not geocoder.status.online and geocoder.status.message == messages[0]


def test_429_and_5xx_are_retried_with_back_off(settings, gaz, server):
    server.add(FakePlace("Ain Dananir", 34.9, 38.7))
    server.statuses = [429, 503]
    server.retry_after = "30"  # honoured, but capped by the policy's max_wait
    policy = RetryPolicy(retries=2, backoff=0.05, max_wait=0.4)
    geocoder = Geocoder(online(settings, server.url), gaz, retry=policy)
    place = geocoder("Ain Dananir", ["SY"])
    assert place is not None and place.name == "Ain Dananir"
    times = [r.time for r in server.requests]
    assert len(times) == 3
    assert times[1] - times[0] >= 0.4 - 0.02  # Retry-After 30 s, capped at 0.4 s
    assert times[2] - times[1] >= 0.1 - 0.02  # backoff * 2**1
    assert geocoder.status.faults == 0


def test_retries_are_bounded(settings, gaz, server):
    server.statuses = [500] * 10
    geocoder = Geocoder(online(settings, server.url), gaz, retry=FAST)
    assert geocoder("Ain Dananir", ["SY"]) is None
    assert len(server.requests) == FAST.retries + 1
    assert cache_rows(gaz, "ain dananir") == []


@pytest.mark.parametrize("body", [
    "<html><body>502 Bad Gateway</body></html>",
    '[{"display_name": "Umm Batna", "lat": "north", "lon": "east"}]',
    '{"error": "Internal Server Error"}',
    '{"unexpected": [1, 2, 3',
])
def test_a_malformed_reply_is_a_miss_that_is_not_cached(settings, gaz, server, body):
    server.add(FakePlace("Umm Batna", 33.1, 35.9))
    server.body = body
    geocoder = Geocoder(online(settings, server.url), gaz, retry=FAST)
    assert geocoder("Umm Batna", ["SY"]) is None
    assert len(server.requests) == 1  # a malformed reply is not retried
    assert cache_rows(gaz, "umm batna") == []
    assert geocoder.status.online and geocoder.status.faults == 1

    server.body = None  # the service recovers: the name is asked again
    place = geocoder("Umm Batna", ["SY"])
    assert place is not None and place.name == "Umm Batna"
    assert len(server.requests) == 2


def test_an_unreachable_network_switches_offline_at_once(settings, gaz):
    messages: list[str] = []
    geocoder = Geocoder(online(settings, f"http://127.0.0.1:{closed_port()}"), gaz, messages.append, retry=FAST)
    started = time.monotonic()
    answers = [geocoder(f"Unknown Village {i}", ["SY"]) for i in range(50)]
    elapsed = time.monotonic() - started
    assert answers == [None] * 50
    assert elapsed < 3, elapsed
    assert len(messages) == 1 and "unreachable" in messages[0] and "connection refused" in messages[0]
    status = geocoder.status
    assert not status.online and status.requests == 1 and status.message == messages[0]
    assert gaz.conn.execute("SELECT COUNT(*) FROM geocode_cache WHERE query LIKE 'unknown village%'").fetchone()[0] == 0


def test_a_dns_failure_switches_offline(settings, gaz):
    messages: list[str] = []
    geocoder = Geocoder(online(settings, "http://nominatim.geodata-test.invalid"), gaz, messages.append, retry=FAST)
    started = time.monotonic()
    assert [geocoder(f"Unknown Village {i}", []) for i in range(10)] == [None] * 10
    assert time.monotonic() - started < 20  # one resolver round trip, however slow the resolver
    assert len(messages) == 1 and not geocoder.status.online and geocoder.status.requests == 1


def test_a_cached_miss_is_asked_again_only_when_expired(settings, gaz, server):
    config = online(settings, server.url)
    assert Geocoder(config, gaz, retry=FAST)("Tall Maghas", ["SY"]) is None
    assert Geocoder(config, gaz, retry=FAST)("Tall Maghas", ["SY"]) is None
    assert len(server.requests) == 1  # the miss is cached
    [row] = cache_rows(gaz, "tall maghas")
    assert row[4] is None and row[5] == "[]"

    server.add(FakePlace("Tall Maghas", 36.5, 40.8))
    short = online(settings, server.url, miss_ttl_days=0.3 / 86400)  # misses expire after 0.3 s
    time.sleep(0.35)
    place = Geocoder(short, gaz, retry=FAST)("Tall Maghas", ["SY"])
    assert place is not None and len(server.requests) == 2
    [row] = cache_rows(gaz, "tall maghas")
    assert row[4] == place.id  # the expired miss was replaced by the hit


def test_country_context_restricts_the_query_and_is_recorded(settings, gaz, server):
    server.add(FakePlace("Tell Abyad Sharqi", 36.7, 38.95, country="TR"))
    geocoder = Geocoder(online(settings, server.url), gaz, retry=FAST)

    assert geocoder("Tell Abyad Sharqi", ["SY", "iq"]) is None  # known only in Turkey
    assert server.requests[-1].params["countrycodes"] == "sy,iq"  # main country first
    place = geocoder("Tell Abyad Sharqi", ["TR"])  # another context is another question
    assert place is not None and place.country == "TR"
    assert server.requests[-1].params["countrycodes"] == "tr" and len(server.requests) == 2

    rows = {row[2]: row for row in cache_rows(gaz, "tell abyad sharqi")}
    assert rows["IQ,SY"][4] is None and "countrycodes=sy%2Ciq" in rows["IQ,SY"][3]
    assert rows["TR"][4] == place.id and "countrycodes=tr" in rows["TR"][3]
    assert context_key(["sy", "IQ", "SY", ""]) == "IQ,SY" and country_codes(["sy", "IQ", "SY"]) == ["SY", "IQ"]


def test_offline_means_no_request(settings, gaz, server):
    server.add(FakePlace("Kafr Zubaydat", 35.2, 40.4))
    config = online(settings, server.url, offline=True)
    assert make_geocoder(config, gaz) is None
    geocoder = Geocoder(config, gaz)
    assert geocoder("Kafr Zubaydat", ["SY"]) is None
    assert server.requests == [] and not geocoder.status.online and geocoder.status.message


def test_providers_are_chosen_by_name(settings, gaz):
    messages: list[str] = []
    public = Geocoder(settings.with_(offline=False, geocoder="nominatim", geocoder_url=None, geocoder_min_delay=0.0,
                                     geocoder_user_agent=AGENT), gaz)
    assert public.endpoint == "https://nominatim.openstreetmap.org/search"
    assert public.min_delay == 1.0  # the usage policy's limit, whatever the settings say
    photon = Geocoder(online(settings, "http://127.0.0.1:2322", geocoder="photon"), gaz)
    assert photon.endpoint == "http://127.0.0.1:2322/api"
    geonames = Geocoder(online(settings, "https://secure.geonames.org", geocoder="geonames",
                               geocoder_username="demo"), gaz)
    assert geonames.endpoint.startswith("https://secure.geonames.org/")
    assert Geocoder(online(settings, "https://geocode.example.org/arcgis", geocoder="arcgis"), gaz).provider_name \
        == "arcgis"

    with pytest.raises(GeocoderConfigError):
        Geocoder(online(settings, None, geocoder="geonames"), gaz)  # GeoNames needs a username
    assert make_geocoder(online(settings, None, geocoder="no-such-service"), gaz, messages.append) is None
    assert len(messages) == 1 and "no-such-service" in messages[0]
    assert sum(g.status.requests for g in (public, photon, geonames)) == 0


def test_osm_features_map_to_geonames_classes():
    assert osm_feature("place", "town") == ("P", "PPL")
    assert osm_feature("place", "neighbourhood") == ("P", "PPLX")
    assert osm_feature("boundary", "administrative", 8) == ("A", "ADM1")
    assert osm_feature("natural", "peak") == ("T", "PK")
    assert osm_feature("waterway", "river") == ("H", "STM")
    assert osm_feature("amenity", "refugee_site") == ("S", "CMPRF")
    assert osm_feature("landuse", "farmland") == ("L", None)
    assert osm_feature("highway", "residential") is None  # a street is not what a toponym means here


def test_photon_and_geonames_results_become_places():
    photon = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [40.41, 35.24]},
              "properties": {"osm_id": 42, "osm_type": "N", "osm_key": "place", "osm_value": "village",
                             "name": "Kafr Zubaydat", "countrycode": "SY", "state": "Deir ez-Zor"}}
    found = parse_photon(photon, "photon")
    assert found is not None and found.state == "Deir ez-Zor"
    assert found.place == Place("osm:node/42", "Kafr Zubaydat", 35.24, 40.41, "SY", "P", "PPL",
                                source="geocoder:photon")
    geonames = {"geonameId": 170794, "name": "Deir ez-Zor", "lat": "35.33588", "lng": "40.14084",
                "countryCode": "SY", "fcl": "P", "fcode": "PPLA", "adminCode1": "07", "population": 242565}
    found = parse_geonames(geonames, "geonames")
    assert found is not None
    assert found.place == Place("gn:170794", "Deir ez-Zor", 35.33588, 40.14084, "SY", "P", "PPLA", "07", 242565,
                                170794, "geocoder:geonames")
    assert parse_geonames({"name": "no coordinates"}, "geonames") is None


def test_a_parse_resolves_unknown_names_online_then_from_the_cache(settings, gaz, server):
    """The issue's "done when": names absent from the gazetteer resolve through the local server,
    then again with the server stopped."""
    try:
        import spacy

        spacy.load(settings.model)
    except OSError:
        require(False, f"spaCy model {settings.model} is not installed")
    from geodata.pipeline import Pipeline

    text = "Fighting spread to Kafr Zubaydat and Hamadiyah villages near Deir ez-Zor in Syria."
    names = ("Kafr Zubaydat", "Hamadiyah")
    assert not any(gaz.lookup(name) for name in names)
    server.add(FakePlace("Kafr Zubaydat", 35.2417, 40.4113), FakePlace("Hamadiyah", 35.3, 40.2))
    config = online(settings, server.url)
    messages: list[str] = []

    first = Pipeline(config, gazetteer=gaz, fallback=Geocoder(config, gaz, messages.append, retry=FAST))
    mentions = {m.text: m for m in next(first.parse([Document("d1", text)])).mentions}
    assert set(names) <= set(mentions)
    places = {name: mentions[name].place for name in names}
    assert all(p is not None and p.source == "geocoder:nominatim" and p.country == "SY" for p in places.values())
    assert {r.params["q"] for r in server.search_requests()} >= set(names)
    assert all(r.params.get("countrycodes") == "sy" for r in server.search_requests())
    asked = len(server.requests)
    server.stop()

    reopened = open_gazetteer(gaz.path)  # the next run: a new process, the server gone
    later = Geocoder(config, reopened, messages.append, retry=FAST)
    second = Pipeline(config, gazetteer=reopened, fallback=later)
    again = {m.text: m for m in next(second.parse([Document("d1", text)])).mentions}
    assert {name: again[name].place for name in names} == places
    assert len(server.requests) == asked and later.status.requests == 0
    assert messages == []
    reopened.close()


def test_a_read_only_gazetteer_keeps_answers_for_the_run(settings, gaz, server):
    server.add(FakePlace("Kafr Zubaydat", 35.2, 40.4))
    readonly = Gazetteer(connect(gaz.path, readonly=True), gaz.path)
    messages: list[str] = []

    def broken_notify(message: str) -> None:
        messages.append(message)
        raise RuntimeError("a broken callback must not break the parse")

    geocoder = Geocoder(online(settings, server.url), readonly, broken_notify, retry=FAST)
    place = geocoder("Kafr Zubaydat", ["SY"])
    assert place is not None and geocoder("Kafr Zubaydat", ["SY"]) == place
    assert geocoder("Tall Nowhere", ["SY"]) is None and geocoder("Tall Nowhere", ["SY"]) is None
    assert len(server.requests) == 2 and len(messages) == 1 and "cannot write the cache" in messages[0]
    assert cache_rows(gaz, "kafr zubaydat") == []
    readonly.close()


def test_an_article_resolved_again_with_its_outlets_home_asks_the_geocoder_once(settings, gaz, server):
    """Read together, the fire story is resolved again with its paper's home (Texas): the name no source holds
    keeps the answer it got, though the article's countries, the cache's context, changed with the home."""
    from geodata.pipeline import Pipeline

    paper = "https://www.theparisnews.com/news/"
    docs = [Document("a", "The school board in Clarksville voted on Tuesday; Detroit and Blossom schools will share "
                          "a bus.", url=paper + "1"),
            Document("b", "Deputies in Lamar County arrested two men near Reno and Blossom after a chase on Monday.",
                     url=paper + "2"),
            Document("c", "Paris firefighters said the blaze began in Zqxwbury, near Paris, on Tuesday.",
                     url=paper + "3")]
    server.add(FakePlace("Zqxwbury", 33.7, -95.5))
    config = online(settings, server.url)
    pipeline = Pipeline(config, gazetteer=gaz, fallback=Geocoder(config, gaz, lambda message: None, retry=FAST))
    fire = pipeline.parse_together(docs)[-1]
    paris = next(m for m in fire.mentions if m.text == "Paris")
    assert (paris.place.country, paris.place.admin1) == ("US", "TX")  # resolved again, with the home
    asked = [r for r in server.search_requests() if r.params["q"] == "Zqxwbury"]
    assert len(asked) == 1, [r.params for r in asked]
