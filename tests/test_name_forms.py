"""How a name is read as the text writes it: cut by the NER or by hyphens and particles, inside a body's or a
street's name, before a word for a county or a division, in a dateline, a party tag or a list; with the real
spaCy model and gazetteer."""

from geodata.resolve import distance_km

from .test_parse import parse_text, spans_of


def test_a_name_mostly_read_as_a_body_is_no_place(pipeline):
    # spaCy reads "Hartmann" ORG, GPE, ORG here; no gazetteer place bears the name
    text = ("The Supreme Court this month denied an earlier request by Hartmann to delay his execution. "
            "So asks the court to delay the execution to allow Hartmann time to demonstrate that Ohio erred. "
            "Hartmann had asked for that stay.")
    surfaces = [m.text for m in parse_text(pipeline, text).mentions]
    assert "Ohio" in surfaces and "Hartmann" not in surfaces


def test_an_organisations_leading_name_must_fit_the_article(pipeline):
    text = "Workers held a forum on Wednesday night at Cora Kelly Elementary School in Alexandria, Virginia."
    found = {m.text: m for m in parse_text(pipeline, text).mentions}
    assert "Cora" not in found  # a village in Mexico, in an article about Virginia
    text = "The Gainesville Police Department said the suspect fled toward Atlanta, Georgia."
    found = {m.text: m for m in parse_text(pipeline, text).mentions}
    assert (found["Gainesville"].place.country, found["Gainesville"].place.admin1) == ("US", "GA")


def test_a_persons_name_read_as_a_body_is_named_after_no_place(pipeline):
    """The small model reads "Sachin Pilot", "Amelia Crolley" and "Moss Side" as organisations: a town's name and
    one more word that is no body's ("Police", "Times", `data/body_words.txt`) is no body named after the town. They
    had been Sachin, Gujarat (0.96), Amelia, Ohio, and Moss, a village near Doncaster (0.96)."""
    for text, name in [("Sachin Pilot said the party would contest every seat in Rajasthan.", "Sachin"),
                       ("Amelia Crolley and Gregory Crolley were charged in Harrisonburg.", "Amelia"),
                       ("Police in Greater Manchester arrested three men after a stabbing in Moss Side.", "Moss")]:
        assert name not in {m.text for m in parse_text(pipeline, text).mentions}, text
    text = "Officers from Carthage Police responded to the call in Moore County."
    assert [e.text for e in pipeline.nlp(text).ents][0] == "Carthage Police"
    assert {m.text for m in parse_text(pipeline, text).mentions} >= {"Carthage"}
    # A shop's name in the possessive after "the": no person's name takes the article
    text = "The city works with the DeKalb Lowe's store on the cleanup."
    assert [e.text for e in pipeline.nlp(text).ents][0] == "the DeKalb Lowe's"
    assert [m.place.admin1 for m in parse_text(pipeline, text).mentions if m.text == "DeKalb"] == ["IL"]


def test_a_bylines_name_is_no_place(pipeline):
    """"BY CHAD KLIMACK": "By" opening a sentence, a name and a surname after it; Chad the country had been
    placed, and had then ruled out the Ohio dateline's town. "By Ukraine's count" is Ukraine."""
    text = ("Pataskala zoning allows block to be redeveloped. BY CHAD KLIMACK Advocate Reporter March 29, 2009 "
            "PATASKALA -- City officials say it might not be that difficult to redevelop a burned-out block.")
    found = {m.text: m for m in parse_text(pipeline, text).mentions}
    assert "CHAD" not in found and found["PATASKALA"].place.admin1 == "OH"
    found = {m.text for m in parse_text(pipeline, "By Ukraine's count, 300 drones hit Kyiv overnight.").mentions}
    assert found == {"Ukraine", "Kyiv"}


def test_an_organisations_leading_name_is_read_after_its_article_and_before_a_capitalised_word(pipeline):
    """"the Beverly Hills Police Department": the NER's span opens with "the"; "the Bank of England" is
    named after England, not after a town called Bank."""
    text = "A spokesman for the Beverly Hills Police Department said the child was not hurt."
    assert [e.text for e in pipeline.nlp(text).ents] == ["the Beverly Hills Police Department"]
    found = {m.text: m for m in parse_text(pipeline, text).mentions}
    assert (found["Beverly Hills"].place.country, found["Beverly Hills"].place.admin1) == ("US", "CA")
    text = "She began her career at the Bank of England before moving to Frankfurt."
    assert "the Bank of England" in [e.text for e in pipeline.nlp(text).ents]
    found = {m.text: m for m in parse_text(pipeline, text).mentions}
    assert "Bank" not in found and found["England"].place.country == "GB"
    text = "He later worked at Derry’s Altnagelvin Hospital in Northern Ireland."
    assert "Derry’s Altnagelvin Hospital" in [e.text for e in pipeline.nlp(text).ents]
    assert parse_text(pipeline, text).mentions[0].place.country == "GB"  # "Derry", before the possessive
    text = "Patients from Derry are treated at the Northwest Cancer Centre in the city."
    assert "the Northwest Cancer Centre" in [e.text for e in pipeline.nlp(text).ents]
    assert "Northwest" not in {m.text for m in parse_text(pipeline, text).mentions}  # a compass word, no town
    text = "Few residents know the program, according to Metro Vancouver. The Marine Energy Wales Conference met."
    found = {m.text: m.place.country for m in parse_text(pipeline, text).mentions}
    assert found == {"Vancouver": "CA", "Wales": "GB"}  # a famous place inside, not Metro (Indonesia) nor Marine


def test_a_place_name_no_gazetteer_place_bears_gives_the_famous_places_inside_it(pipeline):
    """"Greece Italy" (a comma missing), "Nazi Germany": the NER's one place is read as the famous places in
    it; a name some expansion finds stays whole ("South Los Angeles")."""
    for text, expected in [
            ("It could create employment in countries such as Cyprus, Greece Italy or Spain, the group said.",
             {"Cyprus": "CY", "Greece": "GR", "Italy": "IT", "Spain": "ES"}),
            ("Comparisons between Russia and Nazi Germany are heard in the British parliament these days.",
             {"Russia": "RU", "Germany": "DE", "British": "GB"})]:
        assert {"Greece Italy", "Nazi Germany"} & {e.text for e in pipeline.nlp(text).ents if e.label_ == "GPE"}
        assert {m.text: m.place.country for m in parse_text(pipeline, text).mentions} == expected
    whole = [m.text for m in parse_text(pipeline, "He moved to South Los Angeles in 1990 with his family.").mentions]
    assert whole == ["South Los Angeles"]
    street = "The old library stood on the corner of Frenchmen Street, near the river in New Orleans."
    found = {m.text: m.place for m in parse_text(pipeline, street).mentions}
    assert found["Frenchmen Street"].name == "New Orleans" and "Frenchmen" not in found  # in the town, not France


def test_spans_without_a_capital_are_no_names(pipeline):
    parsed = parse_text(pipeline, "She opened her new beach boutique in Clacton on Thursday.")
    assert [m.text for m in parsed.mentions] == ["Clacton"]  # spaCy tags "new beach" GPE


def test_county_words_after_names_make_them_counties(pipeline):
    text = "Home sales fell in Jackson and Barrow counties, and in Hall County, officials said."
    parsed = parse_text(pipeline, text, spans=spans_of(text, "Barrow", "Hall"))
    barrow, hall = parsed.mentions
    assert (barrow.place.name, barrow.place.feature_code, barrow.place.admin1) == ("Barrow County", "ADM2", "GA")
    assert hall.place.name == "Hall County" and hall.place.feature_code == "ADM2"
    text = "Deputies from Avoyelles arrested a man on Monday."
    (avoyelles,) = parse_text(pipeline, text, spans=spans_of(text, "Avoyelles")).mentions
    assert avoyelles.place.name == "Avoyelles Parish" and avoyelles.place.admin1 == "LA"


def test_a_dateline_in_capitals_names_a_place(pipeline):
    text = ("TORRINGTON — A fire destroyed the roof of a house on Main Street on Monday.\n"
            "March 29, 2009 PATASKALA -- City officials say the road will close. The FBI - not the police - came.")
    found = {m.text: m for m in parse_text(pipeline, text).mentions}
    assert found["TORRINGTON"].place.name == "Torrington" and found["PATASKALA"].place.name == "Pataskala"
    assert "FBI" not in found  # capitals before a dash in the middle of a sentence: no dateline
    found = {m.text: m for m in parse_text(pipeline, "ST. PAUL - Lawmakers met on Monday.").mentions}
    assert list(found) == ["ST. PAUL"]  # the whole name, not the NER's pieces "ST" and "PAUL"
    wire = "PLEASANTON, Calif.--(BUSINESS WIRE)--DeltaTrak, a leader in cold chain management, said today."
    found = {m.text: m.place for m in parse_text(pipeline, wire).mentions}
    assert found["PLEASANTON"].name == "Pleasanton" and found["Calif"].name == "California"


def test_names_cut_by_hyphens_and_dashes_are_read_whole(pipeline):
    """"U.S.-led": the abbreviation is a token of its own; "Gilgit-Baltistan", which the NER cuts to
    "Gilgit" (ORG), and "Batesburg-Leesville", which it cuts to "Batesburg", are taken whole."""
    text = "Israel and other nations in the U.S.-led coalition have fought IS in Iraq."
    assert "United States" in {m.place.name for m in parse_text(pipeline, text).mentions if m.place}
    text = ("If the reason for fixing them is to make the tourism industry of Gilgit-Baltistan attractive, the "
            "economists would call it a subsidy. Officials in Batesburg-Leesville said the road would close.")
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert (found["Gilgit-Baltistan"].feature, found["Gilgit-Baltistan"].country) == ("A.ADM1", "PK")
    assert (found["Batesburg-Leesville"].name, found["Batesburg-Leesville"].admin1) == ("Batesburg-Leesville", "SC")


def test_a_name_the_ner_cut_before_its_last_words_is_read_whole(pipeline):
    """The NER reads "U.S." of "the U.S. Virgin Islands" (the United States): the capitalised words after
    it complete a gazetteer place's main name, so the name is read whole."""
    text = "Tickets are sold in 44 states, Washington, D.C., and the U.S. Virgin Islands. Players can add it."
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert "U.S" not in found and (found["U.S. Virgin Islands"].country, found["U.S. Virgin Islands"].feature) == (
        "VI", "A.PCLI")


def test_a_famous_name_inside_a_body_is_read_with_the_words_of_its_town_before_it(pipeline):
    """"New London Police Department": London is famous, but the body is New London's. A word of direction
    alone does not extend it ("North Arlington" is as often a part of Arlington as the town)."""
    text = ("He looked back at his two years leading the New London Police Department. The files include a "
            "section of the New London Code of Ordinances.")
    found = [(m.text, m.place.country) for m in parse_text(pipeline, text).mentions]
    assert found == [("New London", "US"), ("New London", "US")]  # the NER read two bodies


def test_a_residents_town_after_a_comma_and_of(pipeline):
    """"Sears, 41, of Grovetown": the NER reads Grovetown as a body; after a comma, "of" says where the
    person lives. Without the comma it says so only after a person's name ("Jodi Mahler of Bellmore",
    tests/test_news_forms.py); after anything else it says little ("A map of Bellmore")."""
    found = {m.text: m.place for m in parse_text(pipeline, "Sears, 41, of Grovetown, was charged.").mentions}
    assert (found["Grovetown"].name, found["Grovetown"].admin1) == ("Grovetown", "GA")
    for text in ("A map of Bellmore was sold.", "The Friends of Bellmore appeared as guests on an episode."):
        assert "Bellmore" not in {m.text for m in parse_text(pipeline, text).mentions}


def test_a_party_tag_names_the_state_or_town_a_politician_represents(pipeline):
    text = ("Senate Tax Chairman Tom Bakk, DFL-Cook, spoke for Minnesota schools. Rep. Earl Pomeroy, D-N.D., "
            "and State Rep. Jay Roberts (R-Ocilla) disagreed. The B-52 and the I-95 are no tags.")
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert (found["Cook"].name, found["Cook"].admin1) == ("Cook", "MN")
    assert found["N.D"].name == "North Dakota" and (found["Ocilla"].name, found["Ocilla"].admin1) == ("Ocilla", "GA")
    assert not {"52", "95"} & set(found)


def test_every_name_of_a_list_closed_by_counties_is_one(pipeline):
    text = ("The population of Douglas, Sarpy and Lancaster counties grew. "
            "Small Hitchcock and Hayes counties in southwest Nebraska gained people.")
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    for name in ("Sarpy", "Lancaster", "Hitchcock", "Hayes"):  # "Hitchcock" though the NER reads a person
        assert (found[name].name, found[name].feature_code, found[name].admin1) == (f"{name} County", "ADM2", "NE")
    assert "Small Hitchcock" not in found and "Small" not in found
    text = "The offices serve Navarro, Henderson and Ellis counties."  # the plural closing the sentence
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert {name: found[name].name for name in ("Navarro", "Henderson", "Ellis")} == {
        "Navarro": "Navarro County", "Henderson": "Henderson County", "Ellis": "Ellis County"}


def test_every_name_of_a_list_closed_by_regions_or_provinces_is_a_first_level_division(pipeline):
    """"the Donetsk and Luhansk regions": the oblasts, though the NER reads people and the bare names are
    cities (Donetsk of Russia's Rostov Oblast among Russian places); a division that bears the bare name
    is one too ("North West and Limpopo provinces": South Africa's, not Cameroon's North-West Region)."""
    text = ("Russia claims to have annexed the Donetsk and Luhansk regions, as well as parts of Kherson and "
            "Zaporizhzhia regions.")
    assert {e.label_ for e in pipeline.nlp(text).ents if e.text in ("Kherson", "Zaporizhzhia")} == {"PERSON"}
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    for name in ("Donetsk", "Luhansk", "Kherson", "Zaporizhzhia"):
        assert (found[name].name, found[name].feature_code, found[name].country) == (f"{name} Oblast", "ADM1", "UA")
    text = "Mines in the North West and Limpopo provinces of South Africa closed."
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert (found["North West"].country, found["North West"].feature_code) == ("ZA", "ADM1")
    assert (found["Limpopo"].country, found["Limpopo"].feature_code) == ("ZA", "ADM1")


def test_a_name_without_its_generic_word_is_never_a_bare_compass_word(pipeline):
    text = "A man was attacked in River North, Chicago police said, in the 400 block of North State Street."
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert found["Chicago"].admin1 == "IL"
    assert all(place is None or place.country == "US" for place in found.values())  # not Cameroon's North Region


def test_a_state_named_alone_before_counties_is_where_they_lie(pipeline):
    text = "Its jobless rate is near the middle of Indiana counties, 42nd of the state's 92 counties."
    (indiana,) = parse_text(pipeline, text, spans=spans_of(text, "Indiana")).mentions
    assert (indiana.place.name, indiana.place.feature_code) == ("Indiana", "ADM1")


def test_a_body_named_after_a_county_is_placed_in_it(pipeline):
    text = "He was booked into the Titus County Jail in Texas and arraigned at the Henderson County Jail."
    found = {m.text: m for m in parse_text(pipeline, text).mentions}
    titus, henderson = found["Titus County Jail"], found["Henderson"]
    assert (titus.place.name, titus.place.admin1) == ("Titus County", "TX") and titus.confidence == 0.4
    # a famous name inside (Henderson, Nevada) is read on its own, as the county said after it
    assert (henderson.place.name, henderson.place.admin1) == ("Henderson County", "TX")
    # a county inside a name the NER reads as a person's: no person's name holds one
    text = "The right of way, according to Anderson County Sheriff Greg Taylor in Texas, was clear."
    assert ("Anderson County Sheriff", "PERSON") in [(e.text, e.label_) for e in pipeline.nlp(text).ents]
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert (found["Anderson County"].name, found["Anderson County"].admin1) == ("Anderson County", "TX")


def test_newspaper_abbreviations_and_parts_of_places(pipeline):
    text = "He grew up in Loudon Co. near Charleston, W. Va., and moved to South Los Angeles."
    parsed = parse_text(pipeline, text, spans=spans_of(text, "Loudon Co.", "W. Va.", "South Los Angeles"))
    loudon, wva, south_la = parsed.mentions
    assert (loudon.place.name, loudon.place.feature_code) == ("Loudon County", "ADM2")
    assert wva.place.name == "West Virginia"
    assert distance_km(south_la.place.lat, south_la.place.lon, 34.05, -118.24) < 30


def test_no_village_stands_in_for_a_part_or_an_abbreviation(pipeline):
    text = "Aides in the West Wing met officials from N.B. on Monday."
    parsed = parse_text(pipeline, text, spans=spans_of(text, "West Wing", "N.B."))
    wing, nb = parsed.mentions
    assert wing.place is None  # not the village of Wing, England
    assert nb.place is None or nb.place.country == "CA"  # New Brunswick, or nothing; not a Slovak village


def test_a_word_for_a_division_after_a_name_makes_it_the_division(pipeline):
    """"in Donetsk region": Donetsk Oblast of Ukraine, not Donetsk of Russia's Rostov Oblast, which the bare
    name finds among Russian places; the word is part of the mention. Not after a country ("U.S. county")
    nor after a name that already has its word ("Anderson County district clerk")."""
    text = ("Ukrainian drones struck an airbase in Engels, Saratov region, while Russian troops pressed toward "
            "Kostiantynivka in Donetsk region.")
    assert "Donetsk region" not in [e.text for e in pipeline.nlp(text).ents]
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert (found["Donetsk region"].name, found["Donetsk region"].country) == ("Donetsk Oblast", "UA")
    assert found["Saratov region"].name == "Saratov Oblast"
    river = {m.text: m.place for m in parse_text(pipeline, "Officials said the Jordan river was low.").mentions}
    assert (river["Jordan river"].name, river["Jordan river"].feature_class) == ("Jordan River", "H")  # any kind
    text = "New Jersey became the first Northern state to apologize."  # a compass word is no name
    assert {m.text for m in parse_text(pipeline, text).mentions} == {"New Jersey"}
    texts = {"U.S": "It was the 12th fastest-growing U.S. county last year.",
             "Anderson County": "The indictment came from the Anderson County district clerk in Texas."}
    for name, text in texts.items():
        assert name in [m.text for m in parse_text(pipeline, text).mentions]


def test_a_preposition_of_place_reads_past_a_compass_word(pipeline):
    """"in northern Shan State": the NER reads a person; the preposition before the compass word says a
    place, and the state is found without its designator."""
    text = "Myanmar's military junta lost control of Lashio in northern Shan State to an ethnic armed group."
    assert [e.label_ for e in pipeline.nlp(text).ents if e.text == "Shan State"] == ["PERSON"]
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert (found["Shan State"].name, found["Shan State"].feature_code) == ("Shan", "ADM1")


def test_a_name_the_ner_cut_before_a_particle_is_read_whole(pipeline):
    """"Rio Grande do Sul": the NER stops at "Rio Grande" (a city of that state); the lower-case particle
    and the capitalised word after it are read too ("Mato Grosso do Sul", "Ciudad del Este")."""
    text = "Heavy rains in Brazil's Rio Grande do Sul state flooded Porto Alegre and Canoas."
    assert "Rio Grande" in [e.text for e in pipeline.nlp(text).ents]
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert (found["Rio Grande do Sul state"].name, found["Rio Grande do Sul state"].feature_code) == (
        "Rio Grande do Sul", "ADM1")
    assert "Rio Grande" not in found


def test_a_country_or_capital_opening_a_sentence_is_a_place_where_the_ner_read_nothing(pipeline):
    """"Kyiv did not comment.": a capitalised first word is weak evidence, but a country's or a capital's
    name is a place there; not a region's ("Pool operators", Pool of the Congo) nor a common word."""
    text = "Shelling in Donetsk killed five people, the authorities said. Kyiv did not comment."
    assert "Kyiv" not in [e.text for e in pipeline.nlp(text).ents]
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert found["Kyiv"].country == "UA" and found["Donetsk"].country == "UA"
    text = "Pool operators look to prevent another drowning. Sound simple? The council met in Richmond, Virginia."
    assert set({m.text for m in parse_text(pipeline, text).mentions}) == {"Richmond", "Virginia"}


def test_a_word_for_a_kind_of_place_and_of_say_a_place_and_its_kind(pipeline):
    """"the town of Menaka": a place, whatever the NER read, and the town rather than the region the NER's
    label would pick; "off Hodeidah", "north of Tessalit": prepositions of place too."""
    text = ("Fighting continued north of Tessalit and in the town of Menaka, in Mali. "
            "Ships burned off Hodeidah in Yemen.")
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert (found["Menaka"].name, found["Menaka"].feature_class) == ("Ménaka", "P")
    assert found["Tessalit"].country == "ML" and found["Hodeidah"].country == "YE"
    text = "Residents of Christchurch and Dunedin felt the quake in New Zealand."  # and the list it opens
    assert [e.label_ for e in pipeline.nlp(text).ents if e.text == "Dunedin"] == ["PERSON"]
    assert {m.text: m.place.country for m in parse_text(pipeline, text).mentions}["Dunedin"] == "NZ"
    text = "Russian forces shelled villages in the region of Kherson."  # the oblast named after the city
    assert {m.text: m.place.name for m in parse_text(pipeline, text).mentions}["Kherson"] == "Kherson Oblast"
    text = "Russia annexed the regions of Donetsk and Luhansk."  # each name of the list the word opens
    found = {m.text: m.place.name for m in parse_text(pipeline, text).mentions}
    assert (found["Donetsk"], found["Luhansk"]) == ("Donetsk Oblast", "Luhansk Oblast")


def test_a_place_named_in_a_streets_name_is_the_streets_namesake(pipeline):
    """"Hungerford St." (the NER's body) and "Berlin Ave." (outside its entities) are streets of the article's
    town, not Hungerford, England nor Berlin: the street is the mention, and no vote for England."""
    text = ("Officers rammed the door at 44-46 Hungerford St., Hartford police said. A car was stolen on "
            "12 Berlin Ave. in Southington, Connecticut.")
    found = {m.text: m for m in parse_text(pipeline, text).mentions}
    assert "Hungerford" not in found and "Berlin" not in found
    assert found["Hungerford St"].place.country == "US" and found["Berlin Ave"].place.country == "US"
    assert (found["Hartford"].place.country, found["Hartford"].place.admin1) == ("US", "CT")


def test_a_minor_places_old_name_is_no_sure_match(pipeline):
    text = "He spoke with Jeremy Watson, 30, of Ten Mile, who said his family had moved from Lyon."
    ten_mile, lyon = parse_text(pipeline, text, spans=spans_of(text, "Ten Mile", "Lyon")).mentions
    assert ten_mile.place.name != "Ten Mile" and ten_mile.confidence < lyon.confidence  # an alternate name only
    assert lyon.place.name == "Lyon" and lyon.confidence > 0.9


def test_compass_words_and_capitals_name_no_faraway_region_or_village(pipeline):
    text = "Russia warned the West on Monday, Moscow said, as officials in WA and at the CHU in Montpellier waited."
    west, wa, chu = parse_text(pipeline, text, spans=spans_of(text, "West", "WA", "CHU")).mentions
    assert west.place is None or west.place.country in ("RU", "FR")  # not Cameroon's West Region
    assert wa.place is None and chu.place is None  # not Wa, Ghana, nor Chũ, Vietnam


def test_a_generic_word_rules_out_other_kinds_named_alike(pipeline):
    text = "Anglers waded into Big Creek while a barge sailed up the James River."
    parsed = parse_text(pipeline, text, spans=spans_of(text, "Big Creek", "James River"))
    for m in parsed.mentions:  # towns once called so must not stand in for a creek or a river
        assert m.place is None or m.place.feature_class == "H", (m.text, m.place)


def test_a_notable_towns_name_the_ner_reads_as_a_date_or_a_language_is_read_as_others_are(pipeline):
    """The small model reads "Turbat" as a date and "Belgorod" as a language, labels that hold no place; a month
    stays a month even where a town bears its name ("in March": March, Cambridgeshire)."""
    for text, name, label, country in [
            ("Militants stormed a paramilitary camp in Turbat, officials in Pakistan said.", "Turbat", "DATE", "PK"),
            ("A drone attack set fire to an oil depot in Belgorod overnight.", "Belgorod", "LANGUAGE", "RU")]:
        assert (name, label) in [(e.text, e.label_) for e in pipeline.nlp(text).ents]
        found = {m.text: m.place.country for m in parse_text(pipeline, text).mentions}
        assert found.get(name) == country, found
    text = "Councillors in Cambridgeshire met in March and again in May to discuss the budget."
    assert {m.text for m in parse_text(pipeline, text).mentions} == {"Cambridgeshire"}


def test_a_town_after_a_verb_of_attack_is_a_place_and_a_title_before_a_persons_name_is_not(pipeline):
    text = "Russian shelling hit Mariupol and Kramatorsk overnight, Ukrainian officials said."
    labels = {e.text: e.label_ for e in pipeline.nlp(text).ents}
    assert labels.get("Mariupol") == "ORG" and labels.get("Kramatorsk") == "PERSON"
    found = {m.text: (m.place.country, m.place.admin1) for m in parse_text(pipeline, text).mentions}
    assert found["Mariupol"] == found["Kramatorsk"] == ("UA", "05")  # Donetsk Oblast
    text = ("The driver tried several times to hit Trooper Drew Ledbetter on Route 9 in Swansea, "
            "South Carolina, police said.")
    assert "Trooper" not in {m.text for m in parse_text(pipeline, text).mentions}  # Trooper, Pennsylvania


def test_a_word_opening_a_sentence_is_a_place_the_article_names_elsewhere(pipeline):
    """The NER reads nothing at "Aleppo was shelled": the word opens the sentence, which says little of a name
    ("Hail the size of golf balls"), but the article names Aleppo as a place later."""
    text = "Aleppo was shelled overnight. Residents in Aleppo said the Syrian army fired."
    assert "Aleppo" not in [e.text for e in pipeline.nlp(text).ents if e.start == 0]
    assert [(m.start, m.place.name) for m in parse_text(pipeline, text).mentions if m.text == "Aleppo"] == [
        (0, "Aleppo"), (text.rindex("Aleppo"), "Aleppo")]
    text = "Hail the size of golf balls was reported in Norman and Shawnee, Oklahoma."
    assert "Hail" not in {m.text for m in parse_text(pipeline, text).mentions}  # Ha'il, Saudi Arabia


def test_a_word_opening_a_sentence_is_a_town_the_words_after_it_say_is_one(pipeline):
    """A town's main name before a verb of attack in the passive ("Aleppo was shelled") or a word for its people
    ("Kharkiv residents"); not a word some place bears only as another name ("No residents", "Area woman")."""
    for text, name, country in [("Aleppo was shelled overnight, the Syrian army said.", "Aleppo", "SY"),
                                ("Kharkiv residents sheltered in the metro, Ukrainian officials said.", "Kharkiv",
                                 "UA")]:
        assert name not in [e.text for e in pipeline.nlp(text).ents]
        assert {m.text: m.place.country for m in parse_text(pipeline, text).mentions}.get(name) == country, text
    for text in ("No residents were injured in the fire in Torrington, Connecticut.",
                 "Area woman sentenced for mortgage fraud in Corsicana, Texas."):
        assert {m.text for m in parse_text(pipeline, text).mentions} <= {"Torrington", "Connecticut", "Corsicana",
                                                                         "Texas"}, text


def test_a_divisions_everyday_abbreviation_is_read_whatever_the_ner_says(pipeline):
    """"NSW" and "UP" read as bodies, "the ACT" as nothing: the abbreviations table's forms; one that needs its
    country ("ACT", "UP") is no mention at all in an article about another."""
    text = "Bushfires are burning across NSW, with homes lost near Tamworth, the RFS said."
    assert ("NSW", "ORG") in [(e.text, e.label_) for e in pipeline.nlp(text).ents]
    found = {m.text: (m.place.name, m.place.country) for m in parse_text(pipeline, text).mentions}
    assert found["NSW"] == ("New South Wales", "AU") and found["Tamworth"][1] == "AU"  # not Tamworth, England
    found = {m.text: m.place.name for m in parse_text(
        pipeline, "The BJP won 62 of 80 seats in UP, with losses in Ayodhya and Lucknow.").mentions}
    assert found["UP"] == "Uttar Pradesh"
    found = {m.text: m.place.name for m in parse_text(
        pipeline, "The ACT government said fires burned near Canberra.").mentions}
    assert found["ACT"] == "Australian Capital Territory"
    text = "She took the ACT exam in Columbus, Ohio, and stayed UP late."
    assert {m.text for m in parse_text(pipeline, text).mentions} == {"Columbus", "Ohio"}


def test_a_rivers_name_no_river_bears_stands_for_a_town_only_in_the_articles_countries(pipeline):
    """No river in the gazetteer is called Mary, and the expansions find the town of Mary (Turkmenistan): not the
    river of a Queensland story. "Lake Cumberland" at the town of Cumberland in a Kentucky story still is."""
    text = "Residents of Gympie were told the Mary River would peak on Friday."
    found = {m.text: m for m in parse_text(pipeline, text).mentions}
    assert found["Gympie"].place.country == "AU" and found["Mary River"].place is None
    found = {m.text: m.place for m in parse_text(pipeline, "Boats were out on Lake Cumberland near Somerset, "
                                                            "Kentucky.").mentions}
    assert (found["Lake Cumberland"].country, found["Lake Cumberland"].admin1) == ("US", "KY")
    found = {m.text: m.place for m in parse_text(pipeline, "Boats were out on the U.S. Virgin Islands.").mentions}
    assert found["U.S. Virgin Islands"].country == "VI"  # the whole name's place, of another kind: kept
