"""Progress and a quiet log: plain step lines off a terminal, one definition of rows in, status as a table."""

import io
import re

from typer.testing import CliRunner

from tests.workspace import home
from workbench.accounting import balance, rows_in
from workbench.progress import Steps


def test_steps_write_one_plain_line_per_step_when_not_a_terminal():
    out = io.StringIO()
    with Steps(2, "reports", stream=out) as steps:
        steps.start("hotspot_map (public)")
        steps.done("ok")
        steps.start("routes (partner)")
        steps.done("FAILED")
    lines = out.getvalue().splitlines()
    assert "\x1b" not in out.getvalue()  # no terminal control codes in a cron log
    assert re.match(r"\d\d:\d\d:\d\d \[1/2\] hotspot_map \(public\) \.\.\.$", lines[0])
    assert "[2/2] routes (partner): FAILED" in lines[3] and "reports: 2/2 done" in lines[-1]


def test_rows_in_is_everything_read_and_balances():
    osint = {"rows_in": 70, "new": 60, "already_stored": 5, "quarantined": 5, "not_relevant": 20, "merged": 10}
    assert rows_in(osint) == 100 == osint["new"] + osint["already_stored"] + osint["quarantined"] + 20 + 10
    assert balance(osint) == "rows in 100 = stored 65 + quarantined 5 + not relevant 20 + merged duplicates 10"
    assert balance({"rows_in": 1200, "new": 1190, "already_stored": 0, "quarantined": 10}) == \
        "rows in 1,200 = stored 1,190 + quarantined 10"


def test_status_is_a_table_with_the_same_rows_in_as_the_ledger(demo_home):
    from workbench.cli import app
    from workbench.store import Store
    from workbench import catalog

    with home(demo_home):
        result = CliRunner().invoke(app, ["status"])
        batches = Store(catalog.store_root()).batches()
    assert result.exit_code == 0, result.output
    assert "{" not in result.output and "rows in" in result.output and "already stored" in result.output
    for batch in batches.to_dict("records"):
        assert f"{rows_in(batch):,}" in result.output
