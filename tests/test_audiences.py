"""Audiences differ: law enforcement sees named sources, the public sees quarters."""

import pandas as pd

from workbench.share import disclosure, tables
from workbench.share.audience_tables import NO_SOURCE_NAMES, period_label, sources_by_corridor

LE, PARTNER, PUBLIC = (disclosure.policy_for(a) for a in ("law_enforcement", "partner", "public"))


def corridor_incidents() -> pd.DataFrame:
    rows = ([("ROU", None, "GBR", "Harbour Light Alliance", "partner")] * 12
            + [("ROU", None, "GBR", "STT reporting app", "app")] * 3
            + [(None, "NGA", "ESP", "STT reporting app", "app")] * 11)  # origin from the victims' nationality
    return pd.DataFrame(rows, columns=["origin_country_iso3", "victim_nationality_iso3", "country_iso3",
                                       "source_name", "source_type"]).assign(transit_country_iso3=None)


def test_law_enforcement_sees_which_source_each_corridor_count_came_from():
    out = sources_by_corridor(corridor_incidents(), LE)
    first = out.iloc[0]
    assert (first["corridor"], first["source"], first["incidents"]) == ("Romania to United Kingdom",
                                                                        "Harbour Light Alliance", 12)
    assert pd.isna(out.iloc[1]["incidents"])  # 3 from the app: below k, withheld even for law enforcement
    assert "Nigeria to Spain" in set(out["corridor"])


def test_other_audiences_get_no_source_names():
    for policy in (PARTNER, PUBLIC):
        out = sources_by_corridor(corridor_incidents(), policy)
        assert out.empty and out.attrs["note"] == NO_SOURCE_NAMES


def test_the_public_sees_quarters_and_no_month_count():
    assert period_label("2026-10", PUBLIC) == "Q4 2026"
    assert period_label("2026-10", PARTNER, long=True) == "October 2026"
    found = type("F", (), {"surges": pd.DataFrame({"country": ["Ukraine"], "month": ["2026-10"], "observed": [14],
                                                   "expected": [3.0], "upper": [4.5], "series": ["UKR"]})})()
    public = tables.ledger_surges(found, PUBLIC)
    assert list(public.columns) == ["country", "quarter", "finding"] and public.iloc[0]["quarter"] == "Q4 2026"
    partner = tables.ledger_surges(found, PARTNER)
    assert partner.iloc[0]["month"] == "October 2026" and partner.iloc[0]["incidents"] == 15  # rounded to 5


def test_the_public_key_findings_name_the_quarter_of_a_surge_not_its_month(demo_home):
    import calendar

    from tests.workspace import home
    from workbench.share import report
    from workbench.share.ledger import DisclosureLedger

    with home(demo_home):
        found = report.findings_for(resolution=4)
    assert len(found.surges), "the demo plants a surge"
    for policy, quarters in ((PUBLIC, True), (PARTNER, False)):
        ledger = DisclosureLedger.for_policy(policy, "test")
        surges = [f for f in report.collect_key_findings(found, ledger, order=("surges",), quarters=quarters)
                  if f.id.startswith("surge:")]
        months = [m for m in calendar.month_name[1:] if any(m in f.text for f in surges)]
        if quarters:
            assert surges and months == [] and all(" Q" in f.text and "{" not in f.text for f in surges)
        else:
            assert surges and months and all("{" in f.text for f in surges)  # the month's count, via the ledger


def test_a_surge_beside_a_withheld_count_states_no_bound_that_would_narrow_it(demo_home):
    import copy

    from tests.workspace import home
    from workbench.share import report
    from workbench.share.ledger import DisclosureLedger

    with home(demo_home):
        found = copy.copy(report.findings_for(resolution=4))
    assert len(found.surges), "the demo plants a surge"
    ledger = DisclosureLedger.for_policy(PARTNER, "test")
    surges = found.surges.head(1).copy()
    for observed, stated in ((ledger.k - 1, False), (ledger.k + 3, True)):
        surges["observed"], surges["upper"] = observed, observed - 0.5
        found.surges = surges
        fresh = DisclosureLedger.for_policy(PARTNER, "test")
        (finding,) = [f for f in report.collect_key_findings(found, fresh, order=("surges",)) if f.id.startswith("surge:")]
        assert ("upper bound" in finding.text) is stated, finding.text
        assert "above the forecast interval" in finding.text


def test_tied_largest_corridors_are_named_joint_not_both_largest(demo_home):
    import copy

    from tests.workspace import home
    from workbench.share import report
    from workbench.share.ledger import DisclosureLedger

    with home(demo_home):
        found = copy.copy(report.findings_for(resolution=4))
    top = found.top_corridors.head(2).copy()
    assert len(top) == 2, "the demo has at least two corridors"
    for counts, titles in (((40, 40), ["Joint largest corridor"] * 2),
                           ((40, 30), ["Largest corridor", "Second-largest corridor"])):
        top["count"] = list(counts)
        found.top_corridors = top
        ledger = DisclosureLedger.for_policy(PARTNER, "test")
        texts = [f.text for f in report.collect_key_findings(found, ledger, order=("largest",))]
        assert [t.split(":")[0].replace(" (through a transit country)", "") for t in texts] == titles, texts
