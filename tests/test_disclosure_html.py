"""The disclosure auditor attacks exported HTML: planted leaks it must catch, and the exporter's gate."""

import pytest

from workbench.share.html_audit import DisclosureGateError, audit_pages, protect_html, read_page


def page(body: str, audience: str = "law_enforcement", scope: str = "all regions; trafficking; 2025-01-01 to 2025-12-31") -> str:
    """A minimal exported report: the key findings scope line (audience, k) and a body."""
    return (f'<html><body><section class="wb-key-findings"><h2>Key findings</h2><p class="wb-kf-scope">{scope}. '
            f"Audience: {audience} (counts below 10 withheld).</p></section>{body}</body></html>")


def table(headers, rows) -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="wb-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def recovered(*pages):
    return {(r.label, r.low, r.how) for r in audit_pages(read_page(p, f"r{i}") for i, p in enumerate(pages)).recovered}


def test_a_table_with_a_total_and_one_withheld_cell_is_caught():
    html = page("<h2>Where</h2>" + table(["country", "incidents"], [["Spain", "40"], ["Poland", "[c]"],
                                                                     ["Total", "47"]]))
    assert recovered(html) == {("Poland / incidents", 7.0, "subtraction")}


def test_a_crosstab_needs_two_lines_to_recover_a_cell():
    rows = [["ESP", "[c]", "[c]", "30"], ["POL", "[c]", "20", "27"], ["Total", "12", "[c]", "57"]]
    html = page(table(["", "labour", "sexual", "Total"], rows))
    found = {label for label, _, _ in recovered(html)}
    assert {"ESP / labour", "POL / labour", "ESP / sexual", "Total / sexual"} <= found  # 5, 7, 25, 45


def test_rounded_counts_of_a_partner_report_do_not_pin_a_cell_down():
    html = page(table(["country", "incidents"], [["Spain", "40"], ["Poland", "[c]"], ["Total", "45"]]),
                audience="partner")  # shown counts rounded to 5: Poland is anything from 1 to 9
    assert recovered(html) == set()


def test_a_margin_that_does_not_add_up_is_no_relation():
    # incidents counted under several types: a fully shown row that does not add up tells the attacker
    # that rows are not additive, so the row total gives nothing away
    rows = [["ESP", "30", "25", "40"], ["POL", "[c]", "20", "24"], ["Total", "34", "45", "64"]]
    html = page(table(["", "labour", "sexual", "Total"], rows))
    assert "POL / labour" in {label for label, _, _ in recovered(html)}  # the column total still gives it
    rows[2] = ["Total", "[c]", "45", "64"]
    assert recovered(page(table(["", "labour", "sexual", "Total"], rows))) == set()


def test_listed_rows_give_a_withheld_count_away():
    # typology_screening withheld "accounts firing each typology" but named the typologies in the alert rows
    counts = table(["typology", "accounts"], [["hotel_stays", "[c]"], ["funnel_account", "[c]"]])
    alerts = table(["rank", "account", "typologies"],
                   [["#1", "AC1", "hotel_stays, funnel_account"], ["#2", "AC2", "hotel_stays"], ["#3", "AC3", "funnel_account"],
                    ["#4", "AC4", "hotel_stays"]])
    found = recovered(page(alerts + counts))
    assert ("hotel_stays / accounts", 3.0, "listing") in found and ("funnel_account / accounts", 2.0, "listing") in found
    fixed = table(["rank", "account", "typologies"], [[f"#{i}", f"AC{i}", "withheld (counts below k)"] for i in range(4)])
    assert recovered(page(fixed + counts)) == set()


def test_a_withheld_count_above_the_list_of_its_accounts_is_caught():
    rows = [[f"#{i}", f"AC{i:03d}", "0.5"] for i in range(1, 8)]
    html = page("<h2>Alerts</h2><p>[c] accounts fired at least one typology.</p>" + table(["rank", "account", "score"], rows))
    assert {how for _, _, how in recovered(html)} == {"listing"}
    assert recovered(page("<h2>Alerts</h2><p>[c] accounts fired at least one typology.</p><h2>Other</h2>"
                          + table(["rank", "account", "score"], rows))) == set()  # another section lists other things


def test_a_leak_between_two_reports_of_one_run_is_caught():
    first = page(table(["country", "incidents"], [["A", "30"], ["B", "[c]"], ["C", "[c]"], ["Total", "50"]]))
    second = page(table(["country", "incidents"], [["A", "30"], ["B", "[c]"], ["C", "12"], ["Total", "50"]]))
    assert recovered(first) == set() and recovered(second) == {("B / incidents", 8.0, "subtraction")}
    second = page(table(["country", "incidents"], [["A", "30"], ["B", "[c]"], ["C", "12"]]))  # no total in this one
    assert recovered(second) == set()
    assert recovered(first, second) == {("B / incidents", 8.0, "subtraction")}
    other_audience = page(table(["country", "incidents"], [["A", "30"], ["B", "[c]"], ["C", "12"]]), audience="partner")
    result = audit_pages(read_page(p) for p in (first, other_audience))
    assert result.reports == 2  # (audiences are audited apart by audit_folder; this is the stricter union)


def test_rows_listed_in_another_report_of_the_run_give_a_withheld_count_away():
    counts = page(table(["typology", "accounts"], [["hotel_stays", "[c]"]]))
    alerts = page(table(["rank", "account", "typologies"], [[f"#{i}", f"AC{i}", "hotel_stays"] for i in range(4)]))
    assert recovered(counts) == set() and recovered(alerts) == set()
    assert recovered(counts, alerts) == {("hotel_stays / accounts", 4.0, "listing")}


def test_the_same_sentence_in_two_reports_is_the_same_number():
    text = "<h2>Key findings</h2><ul><li>{} incidents were reported in the 6 months to October 2025, against {} in the 6 months before.</li></ul>"
    first = page(text.format("1,080", "[c]") + table(["month", "incidents"], [["2024-11", "[c]"]]))
    second = page(text.format("1,080", "845"))
    result = audit_pages([read_page(first), read_page(second)])
    assert result.ok and result.relations >= 1  # 845 is no small count: shown elsewhere is no leak


def test_consecutive_windows_add_up_across_reports():
    text = "<h2>Key findings</h2><p>{} incidents were reported in the 2 months to February 2025, against {} in the 2 months before.</p>"
    months = table(["month", "incidents"], [["2025-01", "[c]"], ["2025-02", "30"]])
    found = recovered(page(text.format("37", "44")), page(months))
    assert {label for label, _, _ in found} == {"2025-01 / incidents"}


# The three leaks of issue 15, at the level of the exported page


def test_leak_key_judgements_windows_and_sources_total():
    kj = ("<h3>KJ1. Surge in Spain</h3><p>Evidence: latest window: 15; window before: [c]; "
          "Sources: 23 incidents from app, partner; 40% graded B2 or better</p>")
    assert {how for _, _, how in recovered(page(kj))} == {"subtraction"}
    assert recovered(page(kj.replace("Sources: 23", "Sources: [c]"))) == set()


def test_leak_osint_headline_total_minus_the_other_countries():
    html = page("<h2>By country</h2>" + table(["country", "OSINT incidents"],
                                              [["Romania", "[c]"], ["Spain", "100"], ["Italy", "60"], ["Poland", "64"],
                                               ["Total", "233"]]))
    assert recovered(html) == {("Romania / OSINT incidents", 9.0, "subtraction")}


def test_leak_osint_headline_in_words_and_a_country_table_without_total():
    html = page("<h2>Key findings</h2><ul><li>233 incidents found in open sources (all languages).</li></ul>"
                "<h2>By country</h2>" + table(["country", "OSINT incidents"],
                                              [["Romania", "[c]"], ["Spain", "100"], ["Italy", "60"], ["Poland", "64"]]))
    assert recovered(html) == {("Romania / OSINT incidents", 9.0, "subtraction")}
    assert recovered(html.replace("<td>64</td>", "<td>[c]</td>")) == set()


def test_leak_listing_alerted_accounts_under_a_withheld_count():
    counts = table(["typology", "title", "accounts"], [["classified_ads", "Ads", "[c]"]])
    alerts = table(["rank", "account", "typologies"], [[f"#{i}", f"AC{i}", "classified_ads"] for i in range(1, 8)])
    assert recovered(page("<h2>Alerts</h2>" + alerts + "<h2>Typologies</h2>" + counts)) == {
        ("classified_ads / accounts", 7.0, "listing")}


def test_a_sentence_restating_a_table_cell_is_the_same_number():
    html = page(table(["country", "incidents"], [["Spain", "40"], ["Poland", "[c]"], ["France", "[c]"], ["Total", "72"]])
                + "<p>25 incidents in France.</p>")
    assert recovered(html) == {("Poland / incidents", 7.0, "subtraction"), ("France / incidents", 25.0, "subtraction")}
    windowed = html.replace("25 incidents in France.", "25 incidents in France in October 2025.")
    assert recovered(windowed) == set()  # a month's count is not the period's


def test_map_popups_are_published_numbers():
    layer = ('geo_json_ab12.bindTooltip(function(layer){ let fields = ["f0", "f1"]; let aliases = ["place", "count"]; '
             'return 1;}); geo_json_ab12_add({"type": "FeatureCollection", "features": [{"type": "Feature", '
             '"geometry": {"type": "Point", "coordinates": [1.0, 2.0]}, "properties": {"f0": "Madrid", "f1": "&lt;10"}}]});')
    srcdoc = f"<html><body><script>{layer}</script></body></html>".replace('"', "&quot;")
    numbers = read_page(page(f'<iframe srcdoc="{srcdoc}"></iframe>')).numbers
    assert [(n.where, n.withheld) for n in numbers] == [("map", True)]


def test_the_gate_withholds_what_closes_the_leak_and_says_so():
    html = page("<h2>Where</h2>" + table(["country", "incidents"], [["Spain", "40"], ["France", "25"],
                                                                     ["Poland", "[c]"], ["Total", "72"]])
                + "<p>25 incidents in France.</p>")
    out, notes = protect_html(html, "r")
    assert len(notes) == 2 and "France / incidents" in notes[0]  # the table cell, then the sentence restating it
    assert audit_pages([read_page(out)]).ok
    assert "wb-disclosure-gate" in out and "[c]" in out
    assert protect_html(page(table(["country", "incidents"], [["Spain", "40"]])), "r") == (
        page(table(["country", "incidents"], [["Spain", "40"]])), [])


def test_the_gate_blanks_listed_rows_that_count_a_withheld_number():
    counts = table(["typology", "accounts"], [["hotel_stays", "[c]"]])
    alerts = table(["rank", "account", "typologies"], [[f"#{i}", f"AC{i}", "hotel_stays"] for i in range(3)])
    out, notes = protect_html(page(alerts + counts), "r")
    assert notes and "hotel_stays" not in out.split("<tbody>")[1].split("</tbody>")[0]
    assert audit_pages([read_page(out)]).ok


def test_the_gate_closes_a_leak_between_reports_in_the_later_one():
    first = read_page(page(table(["country", "incidents"], [["A", "30"], ["B", "[c]"], ["C", "[c]"], ["Total", "50"]])))
    out, notes = protect_html(page(table(["country", "incidents"], [["A", "30"], ["B", "[c]"], ["C", "12"]])), "p2", [first])
    assert len(notes) == 1 and "C / incidents" in notes[0]
    assert audit_pages([first, read_page(out)]).ok


def test_the_gate_refuses_a_leak_it_cannot_close_in_the_page():
    leaky = read_page(page(table(["country", "incidents"], [["Poland", "7"]])))  # an earlier page shows a small count
    with pytest.raises(DisclosureGateError, match="Poland"):
        protect_html(page(table(["country", "incidents"], [["Poland", "[c]"]])), "p2", [leaky])


def test_the_gate_closes_a_window_leak_found_across_reports():
    text = "<h2>Key findings</h2><p>37 incidents were reported in the 2 months to February 2025, against 44 in the 2 months before.</p>"
    months = page(table(["month", "incidents"], [["2025-01", "[c]"], ["2025-02", "30"]]))
    out, notes = protect_html(months, "months", [read_page(page(text))])
    assert notes == ["2025-02 / incidents withheld: it would reveal 2025-01 / incidents by subtraction"]
    assert audit_pages([read_page(page(text)), read_page(out)]).ok


def test_the_exporter_never_writes_a_page_with_a_recoverable_count(tmp_path):
    import nbformat

    from workbench.share.export import export_html

    leaky = page("<h2>Where</h2>" + table(["country", "incidents"], [["Spain", "40"], ["Poland", "[c]"], ["Total", "47"]]))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": leaky.split("<body>")[1].split("</body>")[0]})])])
    nbformat.write(nb, tmp_path / "leaky.ipynb")
    out = export_html(tmp_path / "leaky.ipynb", tmp_path / "leaky.html").read_text(encoding="utf-8")
    assert "wb-disclosure-gate" in out and audit_pages([read_page(out)]).ok
    raw = export_html(tmp_path / "leaky.ipynb", tmp_path / "raw.html", disclosure_gate=False).read_text(encoding="utf-8")
    assert not audit_pages([read_page(raw)]).ok


def test_workbench_audit_prints_per_audience_counts_and_fails_on_a_leak(tmp_path):
    from typer.testing import CliRunner

    from workbench.cli import app

    run = tmp_path / "run"
    run.mkdir()
    (run / "a-partner.html").write_text(page(table(["country", "incidents"], [["A", "30"], ["B", "[c]"]]),
                                             audience="partner"), encoding="utf-8")
    (run / "a-law_enforcement.html").write_text(page(table(["country", "incidents"], [["A", "30"], ["B", "[c]"]])),
                                                encoding="utf-8")
    result = CliRunner().invoke(app, ["audit", str(run)])
    assert result.exit_code == 0, result.output
    lines = {line.split()[1]: line.split()[2:] for line in result.output.splitlines() if line.startswith("│")}
    # reports, numbers published, withheld, relations checked, recoverable
    assert lines["partner"][1::2] == ["1", "2", "1", "0", "0"] and lines["law_enforcement"][1::2] == ["1", "2", "1", "0", "0"]
    (run / "b-law_enforcement.html").write_text(page(table(["country", "incidents"], [["A", "[c]"], ["B", "[c]"], ["Total", "37"]])),
                                                encoding="utf-8")
    result = CliRunner().invoke(app, ["audit", str(run)])  # A shown in one report, the total in the other
    assert result.exit_code == 1 and "RECOVERABLE law_enforcement" in result.output and "B / incidents = 7" in result.output
