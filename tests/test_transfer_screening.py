"""Transaction-level screening of real-format transfer files (one-off accounts, no MCC, no city)."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.metrics import roc_auc_score

from workbench.apply.calibration import evaluate_screen, ranking_metrics
from workbench.apply.screening import TransferScreen, load_transfer_rules, validate_transfers
from workbench.synthetic.transfers import HIGH_RISK, make_transfers, write_labelled_transfers


@pytest.fixture(scope="module")
def labelled():
    tx, labels = make_transfers(1500, seed=3)
    return tx, labels, TransferScreen(high_risk_countries=HIGH_RISK).fit(tx)


def test_the_generated_file_looks_like_a_real_one(labelled):
    tx, labels, res = labelled
    assert list(tx.columns) == ["transaction_id", "timestamp", "from_account", "to_account", "amount", "currency",
                                "type", "country", "counterparty_country"]
    assert (res.scores["n_transactions"] == 1).mean() > 0.9  # almost every account seen once
    assert set(labels["account"]) == set(res.scores["account"])
    assert 0.02 < labels["is_laundering"].mean() < 0.15


def test_one_off_laundering_accounts_rank_above_normal_ones(labelled):
    _tx, labels, res = labelled
    once = res.scores[res.scores["n_transactions"] == 1].set_index("account")["score"]
    y = labels.set_index("account")["is_laundering"].reindex(once.index)
    assert y.sum() >= 30
    assert roc_auc_score(y, once) > 0.7  # random: 0.5
    m = ranking_metrics(res.scores.set_index("account")["score"], labels.set_index("account")["is_laundering"], 50)
    assert m["precision"] > 5 * m["prevalence"]


def test_an_account_seen_once_is_explained_with_its_own_numbers(labelled):
    tx, labels, res = labelled
    structurer = labels[labels["typology"] == "structuring"]["account"].iloc[0]
    row = tx[tx["to_account"] == structurer].iloc[0]
    text = res.explain(structurer)
    assert f"{row['amount']:,.0f}" in text and "under the 10,000 EUR reporting threshold" in text
    hit = res.hits[res.hits["account"] == structurer].iloc[0]
    assert hit["record"] == row["transaction_id"]
    mule = labels[labels["typology"] == "funnel_mule"]["account"].iloc[0]
    assert "which received" in res.explain(mule)  # credited with its hub's numbers


def test_rejects_name_record_and_field_and_rows_add_up():
    tx, _ = make_transfers(300, seed=5)
    tx = tx.astype({"amount": object})
    tx.loc[3, "amount"] = "twelve"
    tx.loc[7, "timestamp"] = "yesterday"
    tx.loc[9, ["from_account", "to_account"]] = ""
    res = TransferScreen().fit(tx)
    assert res.n_rows_in == res.n_rows_scored + res.n_rows_rejected == len(tx)
    bad = res.rejects.set_index("record")
    assert bad.loc[tx.loc[3, "transaction_id"], "field"] == "amount"
    assert "field 'timestamp'='yesterday'" in bad.loc[tx.loc[7, "transaction_id"], "reason"]
    assert bad.loc[tx.loc[9, "transaction_id"], "field"] == "from_account"
    assert "cannot fire" in res.note  # no corridor countries given


def test_other_layouts_are_recognised():
    tx, _ = make_transfers(300, seed=6)
    ts = pd.to_datetime(tx["timestamp"])
    saml = pd.DataFrame({"Time": ts.dt.strftime("%H:%M:%S"), "Date": ts.dt.strftime("%Y-%m-%d"),
                         "Sender_account": tx["from_account"], "Receiver_account": tx["to_account"],
                         "Amount": tx["amount"], "Payment_currency": tx["currency"], "Payment_type": tx["type"],
                         "Sender_bank_location": "Spain", "Receiver_bank_location": tx["counterparty_country"]})
    a = TransferScreen(high_risk_countries=HIGH_RISK).fit(tx).scores
    b = TransferScreen(high_risk_countries=HIGH_RISK).fit(saml).scores
    pd.testing.assert_frame_equal(a, b)
    clean, _rej, counts = validate_transfers(tx.assign(type="mystery"))
    assert set(clean["type"]) == {"other"} and counts["other_types"] == len(tx)
    with pytest.raises(ValueError, match="missing required column"):
        validate_transfers(tx.drop(columns=["amount"]))


def test_rule_file_errors_name_rule_and_field():
    from importlib import resources

    raw = yaml.safe_load(resources.files("workbench").joinpath("resources/typologies.yaml").read_text("utf-8"))
    assert load_transfer_rules(raw).version == raw["transaction_rules_version"]
    broken = copy.deepcopy(raw)
    broken["transaction_rules"][0]["params"]["threshold"] = -1
    with pytest.raises(ValueError, match=r"'structuring'.*params.threshold"):
        load_transfer_rules(broken)
    broken = copy.deepcopy(raw)
    broken["transaction_rules"][1]["explanation"] = "{nope}"
    with pytest.raises(ValueError, match=r"'round_cash'.*explanation"):
        load_transfer_rules(broken)


def test_calibration_on_a_held_out_file_beats_the_random_baseline(tmp_path):
    paths = write_labelled_transfers(tmp_path, n=1500, seed=10)
    screen = TransferScreen(high_risk_countries=HIGH_RISK)
    read = {k: pd.read_csv(p, dtype=str, keep_default_na=False) for k, p in paths.items()}
    ev = evaluate_screen(screen.fit(read["train"]), read["train_labels"], screen.fit(read["holdout"]),
                         read["holdout_labels"], budget=50)
    t = ev.table.set_index("method")
    assert t.loc["hand weights (YAML)", "auc"] > 0.7
    assert t.loc["calibrated on the training file", "auc"] > 0.7
    assert abs(t.loc["random ranking (seeded)", "auc"] - 0.5) < 0.1
    assert t.loc["random expectation", "precision"] == pytest.approx(ev.n_positive_holdout / ev.n_holdout)
    assert t.loc["hand weights (YAML)", "precision"] > 3 * t.loc["random expectation", "precision"]
    assert np.isfinite(ev.coefficients["coefficient"]).all()


def test_transfer_files_are_told_apart_from_account_statements(tmp_path):
    from workbench.apply.screening.transfers import is_transfer_layout, transfer_file_columns

    tx, _ = make_transfers(200, seed=8)
    path = tmp_path / "t.csv"
    tx.to_csv(path, index=False)
    assert is_transfer_layout(transfer_file_columns(path))
    statement = ["account", "counterparty", "amount", "currency", "timestamp", "channel", "merchant_category"]
    assert not is_transfer_layout(statement)
    assert not is_transfer_layout(["id", "note"])


def test_corridor_countries_come_from_the_routes_through_the_home_country():
    from workbench.apply.screening import corridor_countries

    flows = pd.DataFrame({"origin": ["NGA", "ROU", "ESP", "VNM", "THA", "UNK"],
                          "transit": ["LBY", "", "", "", "", ""],
                          "destination": ["ESP", "ESP", "FRA", "GBR", "ESP", "ESP"],
                          "count": [40, 25, 5, 99, 3, 50]})
    assert corridor_countries(flows, "ESP", top=3) == ("LBY", "NGA", "ROU")  # LBY ties NGA at 40: by code
    assert "VNM" not in corridor_countries(flows, "ESP") and "UNK" not in corridor_countries(flows, "ESP")
    screen = TransferScreen(high_risk_countries=corridor_countries(flows, "ESP"))
    tx = pd.DataFrame([{"transaction_id": "t1", "timestamp": "2026-10-01T10:00:00", "from_account": "A",
                        "to_account": "B", "amount": 900, "currency": "EUR", "type": "wire", "country": "ESP",
                        "counterparty_country": "Nigeria"}])
    assert "high-risk corridor" in screen.fit(tx).explain("A")


def test_evaluate_screening_command_prints_auc_precision_and_the_random_baseline(tmp_path):
    from typer.testing import CliRunner

    from workbench.cli import app

    result = CliRunner().invoke(app, ["evaluate-screening", "--n", "1500", "--seed", "3", "--budget", "50"])
    assert result.exit_code == 0, result.output
    assert "ROC AUC" in result.output and "precision (top 50)" in result.output
    assert "random expectation" in result.output and "calibrated on the training file" in result.output
    paths = write_labelled_transfers(tmp_path, n=1500, seed=3)
    again = CliRunner().invoke(app, ["evaluate-screening", "--train", str(paths["train"]), "--train-labels",
                                     str(paths["train_labels"]), "--holdout", str(paths["holdout"]),
                                     "--holdout-labels", str(paths["holdout_labels"]), "--budget", "50"])
    assert again.exit_code == 0, again.output
    def figures(out: str) -> list[str]:  # the table and note, without the title and summary lines
        return out.split("==")[-1].splitlines()[2:]

    assert figures(again.output) == figures(result.output)  # the written files give the same figures
    missing = CliRunner().invoke(app, ["evaluate-screening", "--train", str(paths["train"])])
    assert missing.exit_code != 0
