"""Story clustering on invented articles: dates of any format, imprecise dates, rewrites."""

import numpy as np
import pandas as pd

from workbench.collect.stories import cluster_stories
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
