"""Names that are not places, judged from the article (`geodata/evidence.py`): people, storms,
news agencies and clubs that share a place's name, each class both ways, through the real pipeline
(real spaCy model, real gazetteer)."""

from __future__ import annotations

import pytest

from geodata.evidence import CUES, club_name
from geodata.gazetteer.wordlists import read_words
from geodata.records import Document


def placed(pipeline, text: str) -> dict[str, list[str | None]]:
    """Mention text -> the countries its mentions were placed in (None: unresolved)."""
    [parsed] = pipeline.parse([Document("t", text)])
    out: dict[str, list[str | None]] = {}
    for m in parsed.mentions:
        out.setdefault(m.text, []).append(m.place.country if m.place else None)
    return out


@pytest.mark.parametrize("text, not_places, places", [
    # storm vs town
    ("Hurricane Harvey made landfall near Rockport on Friday. Harvey then stalled over Houston for days.",
     ["Harvey", "Hurricane Harvey"], ["Houston"]),
    ("There were three major hurricanes striking US soil: Harvey, Irma and Maria.", ["Harvey", "Irma", "Maria"], []),
    ("Typhoon Mangkhut hit the Philippines on Saturday, and Mangkhut then moved towards Hong Kong.",
     ["Mangkhut", "Typhoon Mangkhut"], ["Philippines", "Hong Kong"]),
    # person vs place
    ("Liverpool striker Mohamed Salah scored twice on Saturday. Salah has now scored 40 goals this season.",
     ["Salah"], []),
    ("Police said Charlie Chen, 48, lived in Lexington. Chen was charged with fraud in Boston.",
     ["Chen"], ["Lexington", "Boston"]),
    ("Barry Smith, 80, and Beryl, 81, met as teenagers. Beryl worked as a machinist in Leeds.", ["Beryl"], ["Leeds"]),
    ("Chrystia Freeland, the foreign minister, flew to Washington. Freeland said the talks went well.",
     ["Freeland"], ["Washington"]),
    # news agency, club
    ("China's official Xinhua News Agency reported the decision. Xinhua said the talks had been constructive.",
     ["Xinhua"], ["China"]),
    ("Liverpool beat Man City 3-0 in the first leg of the Champions League quarter-final at Anfield.",
     ["Man City"], ["Liverpool"]),
    # Jordan the country vs Michael Jordan; Reading the town vs reading a report
    ("Michael Jordan scored 32 points in Chicago. Jordan, 35, said the game had been his hardest.",
     ["Jordan"], ["Chicago"]),
    ("Reading the report, the minister said the figures were worse than expected in London.", ["Reading"], ["London"]),
    # ship vs city
    ("The submarine Kursk sank off Murmansk in 2000, and the cruiser Moskva sank south of Odesa in 2022.",
     ["Kursk", "Moskva"], ["Murmansk", "Odesa"]),
])
def test_a_name_the_article_shows_is_no_place_is_left_out(pipeline, text, not_places, places):
    found = placed(pipeline, text)
    for name in not_places:
        assert name not in found, (name, found)
    for name in places:
        assert found.get(name) and all(found[name]), (name, found)


@pytest.mark.parametrize("text, name, country", [
    ("The town of Harvey, Louisiana, lies across the river from New Orleans. Residents of Harvey voted.",
     "Harvey", "US"),
    ("King Abdullah of Jordan met the president in Amman. Jordan has taken in 600,000 refugees from Syria.",
     "Jordan", "JO"),
    ("Thousands of fans gathered in Reading for the festival, held in the Berkshire town since 1971.",
     "Reading", "GB"),
    ("Norwich City were beaten 2-1 at Carrow Road, and now sit tenth in the league table.", "Norwich City", "GB"),
    ("The storm hit the Georgia coast on Tuesday, and Atlanta was spared.", "Georgia", "US"),
    ("It was a nice day in Nice, where the promenade was crowded with tourists from Paris.", "Nice", "FR"),
])
def test_the_same_kind_of_name_is_a_place_when_the_article_means_the_place(pipeline, text, name, country):
    found = placed(pipeline, text)
    assert found.get(name) and set(found[name]) == {country}, found


def test_an_agencys_initials_are_not_a_countrys_formal_abbreviation(pipeline):
    """The sources write the Isle of Man "I.O.M."; the news writes IOM for the migration agency. A
    dotted form counts undotted only where the letters are a name of the country too (UAE, DRC)."""
    found = placed(pipeline, "The IOM said 300 migrants reached Lampedusa on Monday. The UAE sent aid, officials "
                             "in the U.A.E. said, and the DRC asked for more.")
    assert "IM" not in found.get("IOM", []), found
    assert found["Lampedusa"] == ["IT"] and found["DRC"] == ["CD"], found
    assert found["UAE"] == ["AE"] and found["U.A.E"] == ["AE"], found


def test_a_famous_places_name_the_ner_reads_only_as_a_lone_person_is_the_place(pipeline):
    """"Alexandria" tagged PERSON each time, never as a word of a person's longer name: the place."""
    text = ("Alexandria woman charged in connection with fire. Chiquita Henry, 19, of 1935 Orchard St., "
            "Alexandria, was arrested and charged with arson.")
    assert [e.label_ for e in pipeline.nlp(text).ents if e.text == "Alexandria"] == ["PERSON", "PERSON"]
    assert len(placed(pipeline, text).get("Alexandria", [])) == 2
    named = "Michael Jordan scored 32 points in Chicago. Jordan said the game had been his hardest."
    assert "Jordan" not in placed(pipeline, named)  # a word of "Michael Jordan": the person


def test_a_town_the_ner_reads_as_a_body_or_a_person_after_a_preposition_of_place_is_the_town(pipeline):
    """"in Dewsbury", "moved to Batley", "from Riverdale", "at Stonewall": the gazetteer's town, even where
    the NER reads an organisation, a person or nothing; kept, like any name the gazetteer alone found, only
    as a famous place or one in the article's countries, and never for a name no town bears."""
    text = "The couple met at a dance hall in Dewsbury in 1956, and later moved to Batley."
    assert {e.text: e.label_ for e in pipeline.nlp(text).ents if e.label_ != "DATE"} == {"Dewsbury": "ORG",
                                                                                       "Batley": "ORG"}
    assert placed(pipeline, text) == {"Dewsbury": ["GB"], "Batley": ["GB"]}
    us = "Fire crews from Riverdale and Harvey were called to the blaze in Georgia, officials said."
    assert [e.label_ for e in pipeline.nlp(us).ents if e.text == "Riverdale"] == ["PERSON"]
    assert placed(pipeline, us)["Riverdale"] == ["US"]
    abroad = ("Customs officials in Lagos said on Monday that the seized cargo had come from Riverdale, according "
              "to documents seen by reporters in Nigeria.")
    assert "Riverdale" not in placed(pipeline, abroad)  # no Riverdale in Nigeria, none famous
    other_name = "Migrants of the caravan have been camped out in Matias Romero, Oaxaca State, Mexico, on Wednesday."
    assert [e.label_ for e in pipeline.nlp(other_name).ents if e.text == "Matias Romero"] == ["PERSON"]
    assert placed(pipeline, other_name)["Matias Romero"] == ["MX"]  # GeoNames: "Matías Romero Avendaño"
    unread = "Shoppers at Stonewall can find groceries, and the schools nearby are good, residents of Virginia said."
    assert "Stonewall" not in [e.text for e in pipeline.nlp(unread).ents]  # the NER read nothing there
    assert placed(pipeline, unread)["Stonewall"] == ["US"]
    firms = "The analyst spoke at Goldman last week and later moved to Microsoft, where she leads a team in Seattle."
    assert set(placed(pipeline, firms)) == {"Seattle"}


def test_a_division_the_ner_reads_as_a_person_in_a_list_after_a_preposition_or_with_its_designator(pipeline):
    """"in Tigray and Amhara": the preposition opens the list, so its last name is a place too, as a town's
    or division's name (Amhara is Amara's other name); "into Rakhine State": the division without its
    designator. Not a list of streets ("near Rivers and Stokes avenues"), nor one of other things."""
    regions = "Clashes broke out in Tigray and Amhara, Ethiopia's northern regions, while Eritrean troops stayed."
    assert {e.text: e.label_ for e in pipeline.nlp(regions).ents if e.text in ("Tigray", "Amhara")} == {
        "Tigray": "PERSON", "Amhara": "PERSON"}
    assert placed(pipeline, regions)["Amhara"] == ["ET"]
    state = "The Arakan Army took control of Paletwa in Chin State and pushed into Rakhine State, Myanmar."
    assert [e.label_ for e in pipeline.nlp(state).ents if e.text == "Rakhine State"] == ["PERSON"]
    assert placed(pipeline, state)["Rakhine State"] == ["MM"]
    streets = "A cyclist was hit by a truck near Rivers and Stokes avenues in Charleston, South Carolina."
    assert "Stokes" not in placed(pipeline, streets)
    people = "The talks in Tigray and Abiy ended on Monday."
    assert "Abiy" not in placed(pipeline, people)  # no town bears it


def test_a_town_the_ner_reads_as_a_person_joined_by_and_to_a_place_is_the_town(pipeline):
    """"Khan Younis and Deir al-Balah": a name joined by "and" to one the NER reads as a place is a town's
    when a town bears it (a single word only as its main name), not a word for a kind of place ("Botkins
    and Creek"), nor a street's ("Lakeview and Harrison streets")."""
    gaza = "The strikes hit Khan Younis and Deir al-Balah in central Gaza."
    assert [e.label_ for e in pipeline.nlp(gaza).ents if e.text == "Khan Younis"] == ["PERSON"]
    assert placed(pipeline, gaza)["Khan Younis"] == ["PS"]
    names = "The identities of Botkins and Creek were released Monday in Ohio."
    assert [e.label_ for e in pipeline.nlp(names).ents if e.text == "Botkins"] == ["GPE"]
    assert "Creek" not in placed(pipeline, names)
    streets = "A water main blew on the corner of Lakeview and Harrison streets in Chicago."
    assert "Harrison" not in placed(pipeline, streets)


def test_a_town_the_ner_reads_as_a_person_after_a_verb_whose_object_is_a_place_is_the_town(pipeline):
    """"shelling Jermuk and Goris": a verb that only a place is the object of ("shelled", "besieged",
    "liberated") says the name after it is a place, as a preposition of place does; and so does the list
    it opens."""
    text = "Armenia accused Azerbaijan of shelling Jermuk and Goris, close to the Nagorno-Karabakh region."
    assert {e.text: e.label_ for e in pipeline.nlp(text).ents if e.text in ("Jermuk", "Goris")} == {
        "Jermuk": "PERSON", "Goris": "PERSON"}
    got = placed(pipeline, text)
    assert (got["Jermuk"], got["Goris"]) == (["AM"], ["AM"])


def test_a_famous_town_the_ner_missed_is_found_by_the_name_the_news_writes(pipeline):
    """"captured Raqqa": the NER reads nothing there; GeoNames writes "Ar Raqqah", and the city is found
    by the name the news writes (without the article and the final "h") as a famous place's main name."""
    text = "The Syrian Democratic Forces captured Raqqa from the Islamic State after fighting in Tabqa."
    assert "Raqqa" not in [e.text for e in pipeline.nlp(text).ents]
    assert placed(pipeline, text)["Raqqa"] == ["SY"]


def test_a_town_the_ner_reads_as_a_body_in_the_country_said_after_it_is_the_town(pipeline):
    """"Derna in eastern Libya": a name that a town of the country named after it bears (Darnah) is that
    town, whatever the NER read, and so is each name of a list before the preposition ("Khan Younis and
    Rafah in the southern Gaza Strip"); not when what follows is a town ("Red Cross in Waterbury": a body)."""
    libya = "Flooding hit Derna in eastern Libya after two dams burst."
    assert [e.label_ for e in pipeline.nlp(libya).ents if e.text == "Derna"] == ["ORG"]
    assert placed(pipeline, libya)["Derna"] == ["LY"]
    body = "Following the storm, Red Cross in Waterbury provided shelter to families in Connecticut."
    assert "Red Cross" not in placed(pipeline, body)
    kivu = "Rebels advanced on Beni in North Kivu."  # the container by another of its names (Nord-Kivu)
    assert [e.label_ for e in pipeline.nlp(kivu).ents if e.text == "Beni"] == ["PERSON"]
    assert placed(pipeline, kivu)["Beni"] == ["CD"]
    maui = "Wildfires in Maui's Lahaina forced evacuations."  # the NER reads nothing after the possessive
    assert "Lahaina" not in [e.text for e in pipeline.nlp(maui).ents]
    assert placed(pipeline, maui)["Lahaina"] == ["US"]
    listed = "Israeli strikes hit Khan Younis and Rafah in the southern Gaza Strip."  # the list's first name too
    assert [e.label_ for e in pipeline.nlp(listed).ents if e.text == "Khan Younis"] == ["PERSON"]
    assert placed(pipeline, listed)["Khan Younis"] == ["PS"]


def test_a_division_the_ner_reads_as_a_person_before_a_word_for_a_division_is_the_division(pipeline):
    """"the Tigray region of Ethiopia": the NER reads a person; a division bears the name, and the word after
    it says so. A name no division bears stays out ("the Smith region")."""
    text = "Aid reached the Tigray region of Ethiopia."
    assert [e.label_ for e in pipeline.nlp(text).ents if e.text == "Tigray"] == ["PERSON"]
    assert placed(pipeline, text)["Tigray region"] == ["ET"]
    assert set(placed(pipeline, "Residents of the Smith region in Ohio met.")) == {"Ohio"}


def test_a_country_of_several_words_the_ner_reads_as_a_person_is_the_country(pipeline):
    """"with Niger and Burkina Faso": no one is called by the whole of a country's name of several words;
    a person's name that holds a place's word is still a person's ("Paris Hilton")."""
    text = "The convoy was ambushed in the tri-border area with Niger and Burkina Faso."
    assert [e.label_ for e in pipeline.nlp(text).ents if e.text == "Burkina Faso"] == ["PERSON"]
    assert placed(pipeline, text)["Burkina Faso"] == ["BF"]
    assert "Paris Hilton" not in placed(pipeline, "Paris Hilton arrived in Los Angeles on Monday.")


def test_a_town_the_ner_reads_as_a_body_or_a_person_before_a_word_for_its_people_is_the_town(pipeline):
    """"a Winona man", "Gainesville residents", "Oxford police", "the Saratoga native": the town's name,
    whatever the NER read (a body, a person, a product); a family's or a firm's name before such a word
    is no town's (and a name no town bears stays out)."""
    text = ("The body of a 22-year-old Winona man was found on Sunday. About 55 Gainesville residents marched on "
            "Friday, and Oxford police closed the road in Georgia.")
    labels = {e.text: e.label_ for e in pipeline.nlp(text).ents}
    assert (labels["Winona"], labels["Gainesville"], labels["Oxford"]) == ("ORG", "PERSON", "ORG")
    assert placed(pipeline, text) == {"Winona": ["US"], "Gainesville": ["US"], "Oxford": ["US"], "Georgia": ["US"]}
    native = "He went to Hollywood. The Saratoga native oversaw the first Sony players in California."
    assert ("Saratoga", "PRODUCT") in [(e.text, e.label_) for e in pipeline.nlp(native).ents]  # any label
    assert placed(pipeline, native)["Saratoga"] == ["US"]
    others = "The Smith family and Apple officials met Trump officials in Washington."
    assert set(placed(pipeline, others)) == {"Washington"}


def test_a_headlines_opening_word_before_a_town_and_its_people_is_no_part_of_the_name(pipeline):
    """"Missing Lancaster girl": a headline's opening word, which the tagger reads as no name, is cut off the town
    before a word for its people; a run the tagger reads as a name stays whole ("Meadow Grove man" is no Grove)."""
    text = "Missing Lancaster girl's body is found as mother's story unravels. Police in Pennsylvania said it was over."
    assert placed(pipeline, text) == {"Lancaster": ["US"], "Pennsylvania": ["US"]}
    whole = "Meadow Grove man cleared of charges. A judge in Nebraska dropped the case."
    assert set(placed(pipeline, whole)) == {"Nebraska"}


def test_a_title_before_words_the_gazetteer_has_is_no_cue(pipeline):
    """"Prince" is a title before a person's name, but not before "Prince William County", which the gazetteer has:
    the court named after the county is placed at it, as a body named after a place is; "Prince Harry" is no place."""
    court = "This month, a judge in Prince William County Circuit Court declared the man unfit to stand trial."
    assert [e.label_ for e in pipeline.nlp(court).ents if e.text.startswith("Prince")] == ["GPE"]
    [parsed] = pipeline.parse([Document("t", court)])
    (mention,) = parsed.mentions
    assert (mention.text, mention.place.name, mention.place.admin1) == (
        "Prince William County Circuit Court", "Prince William County", "VA")
    assert "Prince Harry" not in placed(pipeline, "Prince Harry visited Windsor on Monday.")


def test_the_cue_tables_hold_classes_of_words_not_the_names():
    """The evidence words are roles, storm kinds, organisation and club words; the generic words no
    longer hold real places that evidence now tells apart."""
    assert {"role", "storm", "vessel", "org", "club", "sport"} <= set(CUES)
    names = {"salah", "harvey", "irma", "maria", "xinhua", "man", "chen", "jordan", "reading", "kursk", "moskva"}
    assert not names & set().union(*CUES.values())
    assert not {"jordan", "georgia", "reading", "nice", "victoria", "chad"} & set(read_words("generic_words.txt"))


def test_a_club_name_needs_a_sport_word_near_it():
    sport = "Liverpool will play Man City in the second leg of the tie next week."
    assert club_name(sport, sport.index("Man City"), sport.index("Man City") + 8)
    plain = "The council of Dodge City approved the budget on Tuesday."
    assert club_name(plain, plain.index("Dodge City"), plain.index("Dodge City") + 10) is None


def test_a_saints_name_and_a_holiday_named_for_one_are_no_places(pipeline):
    """"St. Patrick's Day" (read by the NER as a place) and "St. Patrick's Cathedral": "Patrick" after a
    saint's title is the saint's, not Patrick, a parish of the Isle of Man (placed there at 0.92 before); a
    holiday named in the possessive is no place, nor at the article's town ("The annual St. Patrick's Day
    party" in Rock Hill). A town named for a saint is read whole ("St. Paris", Ohio)."""
    text = "Safety stressed on St. Patrick's Day. The annual St. Patrick's Day party in Rock Hill drew crowds."
    assert "GPE" in [e.label_ for e in pipeline.nlp(text).ents if e.text == "St. Patrick's Day"]
    found = placed(pipeline, text)
    assert not [name for name, countries in found.items() if "Patrick" in name and any(countries)]
    assert found["Rock Hill"] == ["US"]
    found = placed(pipeline, "Crowds filled St. Patrick's Cathedral in New York.")
    assert "IM" not in {c for countries in found.values() for c in countries} and found["New York"] == ["US"]
    found = placed(pipeline, "A fire broke out in the St. Paris Court West mobile home park in Champaign County, Ohio.")
    assert found["St. Paris"] == ["US"]


def test_a_first_level_division_of_a_few_people_is_no_famous_place(pipeline, gazetteer):
    """The Isle of Man's parishes ("Michael", "Patrick"), Malta's local councils and Slovenia's municipalities
    are first-level divisions, which made their names famous: a first name read alone as a person was placed
    there at 0.92 ("Michael O'Leary (Ryanair)", "Patrick's bill" for a governor). From 20,000 people on, a
    division is famous (Mon State)."""
    from geodata.gazetteer.importance import is_strong

    michael = next(p for p, _ in gazetteer.lookup("Michael") if p.country == "IM")
    assert michael.feature_code == "ADM1" and not is_strong(michael)
    assert is_strong(next(p for p, _ in gazetteer.lookup("Mon") if p.feature_code == "ADM1" and p.country == "MM"))
    text = ("Carsten Spohr (Lufthansa) and Michael O\u2019Leary (Ryanair) met in Brussels. Lawmakers weighed "
            "Patrick's bill for a 19-cent increase in Boston.")
    found = placed(pipeline, text)
    assert "IM" not in {c for countries in found.values() for c in countries}
    assert found["Brussels"] == ["BE"] and found["Boston"] == ["US"]


def test_a_name_read_as_a_person_is_not_put_at_the_articles_town(pipeline):
    """A name of several words no gazetteer place bears is put at the article's town ("Press Street"), but
    not where the NER reads it as a person's somewhere in the article, even if it reads it as a place
    elsewhere ("Nino Burjanadze" had been put at Batumi); a street's name read so still is ("Elkview Drive")."""
    text = ("Police in Batumi arrested two activists associated with former parliamentary speaker Nino "
            "Burjanadze’s party on Monday. A driver of Badri Bitsadze, husband of Nino Burjanadze, is seen in "
            "the video. Nino Burjanadze, the leader of the party, said the arrests were political.")
    labels = {e.label_ for e in pipeline.nlp(text).ents if e.text.startswith("Nino Burjanadze")}
    assert labels == {"PERSON", "GPE"}
    found = placed(pipeline, text)
    assert set(found["Nino Burjanadze"]) == {None} and found["Batumi"] == ["GE"]
    street = ("MADISON HEIGHTS — Crews will widen the road through April 20. Corner of Elkview Drive and Garnett "
              "Ridge Drive to the corner of Elkview Drive and Elkview Court closed Friday.")
    assert "PERSON" in {e.label_ for e in pipeline.nlp(street).ents if e.text == "Elkview Drive"}
    [parsed] = pipeline.parse([Document("s", street)])
    assert {m.place.name for m in parsed.mentions if m.text == "Elkview Drive"} == {"Madison Heights"}


def test_a_word_for_a_kind_of_place_alone_is_no_place(pipeline):
    """"the Province", "District" of "District Attorney": the NER reads a place, but a word for a kind of
    place names none alone (the district attorney had been put at Kansas City). With a name it does ("the
    Province of Quebec")."""
    texts = ("The Region has been hit hard, officials in the Province said.",
             "A news release from District Attorney Jerome A. Gorman said the man was charged.")
    for text, word in zip(texts, ("Province", "District")):
        assert {e.text: e.label_ for e in pipeline.nlp(text).ents}[word] == "GPE"
        assert word not in placed(pipeline, text)
    assert placed(pipeline, "The Province of Quebec voted on Monday.")["Province of Quebec"] == ["CA"]
