"""Story clustering on invented articles: dates of any format, imprecise dates, rewrites."""

import numpy as np
import pandas as pd

from workbench.collect.stories import cluster_stories, story_entities, story_tokens
from workbench.text.dates import date_span

RAID = ("Police free 14 workers held in forced labour on a farm near Marchena. Operation Alborga: six men "
        "were arrested and the workers' passports were returned.")


def test_date_span_keeps_years_and_months_imprecise():
    day = pd.Timestamp("2026-04-20")
    assert date_span("2026-04-20T10:00:00Z") == (day, day)
    assert date_span("Mon, 20 Apr 2026 10:00:00 +0000") == (day, day)
    assert date_span("Mon, 20 Apr 2026 23:00:00 -0300") == (day + pd.Timedelta(days=1),) * 2  # in UTC
    assert date_span("20 April 2026") == (day, day)
    assert date_span(pd.Timestamp("2026-04-20 23:00", tz="Europe/Paris")) == (day, day)
    assert date_span("2023") == (pd.Timestamp("2023-01-01"), pd.Timestamp("2023-12-31"))
    assert date_span("2024-02") == (pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"))
    assert date_span("May 2023") == (pd.Timestamp("2023-05-01"), pd.Timestamp("2023-05-31"))
    for unknown in (None, "", "  ", float("nan"), pd.NaT, "yesterday", "2023-13"):
        assert date_span(unknown) == (None, None)


def test_mixed_date_formats_all_keep_the_window(recwarn):
    # ISO 8601 first, then RFC 822: every date is read, so the copy two months later stays apart
    texts = [RAID, "UPDATE: " + RAID, RAID + " Read more.", RAID]
    published = ["2026-04-20T10:00:00Z", "Mon, 20 Apr 2026 12:00:00 +0000", "Wed, 17 Jun 2026 09:00:00 +0000",
                 "Thu, 18 Jun 2026 09:00:00 GMT"]
    labels = cluster_stories(texts, published)
    assert labels[0] == labels[1] != labels[2] == labels[3]
    assert not [w for w in recwarn if "infer format" in str(w.message)]


def test_a_year_alone_is_the_whole_year_not_the_first_of_january():
    texts = [RAID, "UPDATE: " + RAID, RAID + " Read more."]
    # "2023" may be any day of 2023: it is the same story as the June report; 2021 is not
    labels = cluster_stories(texts, ["2023-06-20", "2023", "2021"])
    assert labels[0] == labels[1] != labels[2]
    # a month alone spans the month: late June links, February does not
    labels = cluster_stories(texts, ["2023-06-28", "2023-06", "2023-02"])
    assert labels[0] == labels[1] != labels[2]
    assert len(set(cluster_stories(texts, [None, np.nan, ""]))) == 1  # unknown dates never keep items apart
    # month names of other languages: "13 février 2024" is the day after the 12th; "Abril de 2018" is April 2018
    labels = cluster_stories(texts, ["2024-02-12", "13 février 2024", "Abril de 2018"])
    assert labels[0] == labels[1] != labels[2]


def test_story_tokens_keep_names_towns_and_operations_not_headline_capitals():
    tokens = story_tokens("Andrew Tate Will Face Human Trafficking Trial in Romania. Prosecutors said Andrew Tate "
                          "and Tristan Tate face trial in Bucharest.")
    assert {"andrew", "tate", "tristan"} <= set(tokens) and tokens["tate"] == "name"
    assert "will" not in tokens and "trial" not in tokens  # a title-case headline capitalises ordinary words
    assert tokens.get("bucharest") == "big"  # a capital city is not evidence of one event
    raid = story_tokens(RAID)
    assert raid["marchena"] == "town" and raid["alborga"] == "operation" and raid["14"] == "number"
    # written in lower case elsewhere in the text: a topic, not a name
    assert "smuggling" not in story_tokens("People Smuggling explained. An entry on people smuggling by sea.")
    assert story_entities(RAID) == {"marchena", "alborga", "14"}


def test_rewrites_sharing_a_town_and_figures_link_but_other_operations_do_not():
    texts = [
        RAID,
        "Six men arrested and 14 workers freed from forced labour on a Marchena farm; police returned passports.",
        # same town, same week, another operation: another event
        "Police free workers held in forced labour on a farm near Marchena. Operation Olivo: two men were arrested.",
        # the same figure in another country: another event
        "Police free 14 workers held in forced labour on a farm near Marchena, Colombia; six men arrested.",
    ]
    labels = cluster_stories(texts, ["2025-12-01", "2025-12-02", "2025-12-03", "2025-12-01"],
                             ["ESP", "ESP", "ESP", "COL"])
    assert labels[0] == labels[1]
    assert len({labels[0], labels[2], labels[3]}) == 3


def test_undated_items_need_more_evidence():
    a = "Police free workers on a farm near Marchena. Officers said the workers were held for months."
    b = "Workers freed from a farm near Marchena after months, officers said."
    assert len(set(cluster_stories([a, b], ["2025-12-01", "2025-12-02"]))) == 1  # one shared town, same week
    assert len(set(cluster_stories([a, b], ["2025-12-01", None]))) == 2  # undated: one town is not enough


def test_plurals_and_acronyms_at_a_sentence_start_are_names():
    assert "marocain" in story_entities("Un Marocain témoigne. Des Marocains réduits en esclavage à Agen.")
    assert "naptip" in story_entities("NAPTIP arrests five traffickers at Abuja airport.")
    assert "update" not in story_entities("UPDATE: five traffickers arrested at Abuja airport.")


def test_alike_headlines_link_unless_figures_or_operations_disagree():
    head = "Federal judge dismisses largest US human trafficking case. "
    texts = [head + "Prosecutors could not prove the allegations against the recruiter's executives.",
             head + "Charges that executives lured workers to farms with false job offers were dropped.",
             "Human trafficking ring broken up in Lagos. Operation Granite Amber freed workers.",
             "Human trafficking ring broken up in Lagos. Operation Juniper Lantern freed workers."]
    labels = cluster_stories(texts, ["2012-07-20"] * 2 + ["2026-07-01", "2026-07-08"])
    assert labels[0] == labels[1] and labels[2] != labels[3]
    short = cluster_stories(["Human trafficking. A film review.", "Human trafficking. A report on statistics."],
                            ["2026-07-01", "2026-07-01"])
    assert short[0] != short[1]  # a headline of two words is no evidence
