"""A yearly-only dataset (CTDC-style, flow list, points dated by year) through the reports.

trend_forecast, routes and key_judgements must run on it, say what they stand on (scope
block: records used, not recorded type, unknown place, year-only dates) and work at the
frequency the data supports. Run times are printed (pytest -s).
"""

from __future__ import annotations

import html
import re
import time

import pytest

from tests.realdata_helpers import cli, new_workspace
from tests.test_realdata_formats import ENTRIES

pytestmark = [pytest.mark.slow]


def _text(path) -> str:
    raw = re.sub(r"<script.*?</script>|<style.*?</style>", "", path.read_text("utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", raw)))


@pytest.fixture(scope="module")
def yearly(tmp_path_factory):
    root = tmp_path_factory.mktemp("yearly") / "ws"
    entries = {k: v for k, v in ENTRIES.items() if k in ("ctdc", "tip_flows", "hotline_points", "glotip")}
    new_workspace(root, entries, [e["file"] for e in entries.values()])
    code, out = cli(root, "ingest")
    assert code == 0, out
    return root


@pytest.mark.parametrize("notebook, params", [
    ("trend_forecast", ["-p", "period_start=2017-01-01", "-p", "period_end=2021-12-31"]),
    ("routes", ["-p", "period_start=2017-01-01", "-p", "period_end=2021-12-31"]),
    ("key_judgements", ["-p", "end_month=2021-12"]),
])
def test_yearly_only_data_through_the_reports(yearly, notebook, params):
    from workbench.analyse import series

    start = time.perf_counter()
    code, out = cli(yearly, "run", notebook, *params)
    seconds = time.perf_counter() - start
    print(f"\n{notebook}: {seconds:.1f} s on the yearly-only workspace")
    assert code == 0, out
    page = sorted((yearly / "reports" / "runs").glob(f"*/{notebook}*.html"))[-1]
    text = _text(page)
    assert "What this report stands on" in text
    assert re.search(r"No recorded exploitation type: \d+ \(\d+%\)", text)
    assert re.search(r"Place unknown: \d+ \(\d+%\)", text)
    assert re.search(r"Date known only to the year: \d+ \((9\d|100)%\)", text)
    if notebook == "trend_forecast":  # the ledger's key findings in years on year-only records
        assert "incidents were reported in 2021, against" in text and "December 2021" not in text
        assert "yearly series chosen from the records' date precision" in text
        assert "Published counts" in text and "2,315" in text  # GLOTIP totals beside the series
        if "YS" in getattr(series, "FREQS", {}):  # the series builders support yearly series
            assert "do not support" not in text
    if notebook == "key_judgements":  # windows in years, never "6 months to December 2021"
        assert not re.search(r"\d+ months (to|before)", text)
        assert re.search(r"incidents were reported in 2021, against \S+ in 2020", text)
        assert "No corridor of 10 or more incidents grew significantly (2021 against 2020)" in text
    if notebook == "routes":
        assert "Corridors named in flow lists" in text and "PRK" in text and "2019" in text


def test_sources_parameter_limits_a_report_to_chosen_entries(yearly):
    code, out = cli(yearly, "run", "routes", "-p", "sources=tip_flows,hotline_points", "-p",
                    "period_start=2017-01-01", "-p", "period_end=2021-12-31")
    assert code == 0, out
    page = sorted((yearly / "reports" / "runs").glob("*/routes*sources*.html"))[-1]
    text = _text(page)
    assert "sources tip_flows, hotline_points" in text
    assert "Records used: <10" in text  # only the 6 hotline points, withheld below k
