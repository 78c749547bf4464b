"""A labelled synthetic transfers file in a real-world layout, with mostly one-off accounts.

Real transaction files used for screening (bank extracts, the public synthetic AML sets)
have one row per transfer (``transaction_id, timestamp, from_account, to_account,
amount, currency, type, country, counterparty_country``), no merchant category codes or
cities, and almost every account appears once. :func:`make_transfers` draws such a file
with account labels (``account, is_laundering, typology``), planting the typologies the
public advisories describe, each with legitimate look-alikes so that no rule is perfect:

- funnel accounts (FinCEN FIN-2020-A008): many one-off accounts pay one collector,
  often just under the 10,000 reporting threshold, and the collector moves most of each
  payment on within hours (cash out or a wire abroad); legitimate look-alikes are
  utilities and charities collecting many small payments;
- structuring (FinCEN; FINTRAC Project Protect): one-off cash deposits just under the
  threshold (a few legitimate cash deposits fall there too);
- cash-intensive proceeds (FATF-APG 2018; FINTRAC): round-sum cash deposits
  (legitimate businesses deposit round sums as well);
- proceeds sent to source countries (FATF-APG 2018): wires to the high-risk corridor
  countries (as are many legitimate remittances, which are smaller);
- controllers paying many workers (FINTRAC; FATF-APG): one account paying many one-off
  accounts small sums (legitimate employers pay many employees too);
- a share of laundering accounts whose transaction looks ordinary (no typology can find them).

Everything is seeded; account ids are random pseudonyms, and no real person appears.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Default corridor countries (most frequent first), as the incident store would give them.
HIGH_RISK: tuple[str, ...] = ("NGA", "ROU", "VNM", "ALB", "CHN", "THA")
#: Other destination countries of legitimate cross-border transfers.
OTHER_DEST: tuple[str, ...] = ("FRA", "DEU", "PRT", "GBR", "ITA", "MAR", "COL", "ECU", "USA", "NLD")
#: How some files spell countries (names instead of codes).
NAMES: dict[str, str] = {"NGA": "Nigeria", "ROU": "Romania", "VNM": "Viet Nam", "GBR": "UK", "FRA": "France",
                         "MAR": "Morocco", "COL": "Colombia"}
THRESHOLD = 10_000.0


class _Book:
    """Collects transfer rows and account labels."""

    def __init__(self, rng: np.random.Generator, start: pd.Timestamp, days: int):
        self.rng, self.start, self.days = rng, start, days
        self.rows: list[dict[str, Any]] = []
        self.labels: dict[str, tuple[int, str]] = {}
        self._next = 0

    def account(self, label: int = 0, typology: str = "") -> str:
        self._next += 1
        name = f"AC{self.rng.integers(10**9, 10**10):010d}{self._next % 10}"
        self.labels[name] = (label, typology)
        return name

    def time(self, base: pd.Timestamp | None = None, max_hours: float | None = None) -> pd.Timestamp:
        if base is None:
            return self.start + pd.Timedelta(minutes=int(self.rng.integers(0, self.days * 24 * 60)))
        return base + pd.Timedelta(minutes=int(self.rng.integers(30, int(max_hours * 60))))

    def add(self, src: str, dst: str, amount: float, kind: str, to_country: str = "ESP",
            ts: pd.Timestamp | None = None) -> pd.Timestamp:
        ts = self.time() if ts is None else ts
        self.rows.append({"timestamp": ts, "from_account": src, "to_account": dst, "amount": round(float(amount), 2),
                          "type": kind, "counterparty_country": to_country})
        return ts


def _lognormal(rng: np.random.Generator, median: float, sigma: float) -> float:
    return float(np.exp(rng.normal(np.log(median), sigma)))


def _normal_activity(b: _Book, n: int, high_risk: tuple[str, ...]) -> None:
    """Ordinary one-off transfers, card payments, cash, remittances, payroll and collectors."""
    rng = b.rng
    merchants = [b.account() for _ in range(max(n // 40, 5))]
    for _ in range(int(n * 0.40)):
        b.add(b.account(), b.account(), _lognormal(rng, 150, 1.0), "Transfer")
    for _ in range(int(n * 0.18)):
        b.add(b.account(), merchants[rng.integers(len(merchants))], _lognormal(rng, 40, 0.8), "Debit card")
    for _ in range(int(n * 0.08)):
        amount = _lognormal(rng, 400, 1.1)
        if rng.random() < 0.12:  # businesses deposit round sums
            amount = 500 * rng.integers(4, 12)
        b.add("", b.account(), amount, "Cash Deposit")
    for _ in range(int(n * 0.07)):
        b.add(b.account(), "", 20 * max(1, round(_lognormal(rng, 200, 0.8) / 20)), "Cash Withdrawal")
    for _ in range(int(n * 0.07)):  # remittances: many to the same corridor countries, smaller sums
        dest = high_risk[rng.integers(len(high_risk))] if rng.random() < 0.45 else OTHER_DEST[
            rng.integers(len(OTHER_DEST))]
        b.add(b.account(), b.account(), _lognormal(rng, 250, 0.6), "Cross-border", NAMES.get(dest, dest))
    for _ in range(max(n // 600, 1)):  # employers paying many employees
        boss = b.account()
        for _ in range(rng.integers(10, 30)):
            b.add(boss, b.account(), _lognormal(rng, 1800, 0.2), "Transfer")
    for _ in range(max(n // 700, 1)):  # utilities and charities collecting many small payments
        hub = b.account()
        for _ in range(rng.integers(10, 30)):
            b.add(b.account(), hub, _lognormal(rng, 60, 0.5), "Transfer")
    for _ in range(int(n * 0.01)):  # pay-day then rent: an ordinary quick in and out
        acc = b.account()
        salary = _lognormal(rng, 1700, 0.2)
        ts = b.add(b.account(), acc, salary, "Transfer")
        b.add(acc, b.account(), salary * rng.uniform(0.3, 0.9), "Transfer", ts=b.time(ts, 40))


def _laundering(b: _Book, n: int, high_risk: tuple[str, ...]) -> None:
    """The planted typologies (labelled 1)."""
    rng = b.rng

    def under_threshold() -> float:
        return THRESHOLD * rng.uniform(0.89, 0.995)

    for _ in range(max(n // 500, 1)):  # funnel accounts
        hub = b.account(1, "funnel")
        for _ in range(rng.integers(8, 18)):
            amount = under_threshold() if rng.random() < 0.4 else float(rng.integers(3, 19) * 500)
            ts = b.add(b.account(1, "funnel_mule"), hub, amount, "Transfer")
            if rng.random() < 0.6:
                dest = high_risk[rng.integers(len(high_risk))]
                kind, dst = ("Cross-border", b.account(1, "funnel_beneficiary")) if rng.random() < 0.5 else (
                    "Cash Withdrawal", "")
                b.add(hub, dst, amount * rng.uniform(0.75, 0.98), kind, NAMES.get(dest, dest) if dst else "ESP",
                      ts=b.time(ts, 30))
    for _ in range(max(n // 100, 2)):  # structuring
        b.add("", b.account(1, "structuring"), under_threshold(), "Cash Deposit")
    for _ in range(max(n // 120, 2)):  # cash-intensive proceeds
        amount = 500 * rng.integers(4, 13) if rng.random() < 0.7 else _lognormal(rng, 3000, 0.3)
        b.add("", b.account(1, "cash_proceeds"), amount, "Cash Deposit")
    for _ in range(max(n // 100, 2)):  # proceeds sent to source countries
        dest = high_risk[min(rng.geometric(0.45) - 1, len(high_risk) - 1)]
        b.add(b.account(1, "corridor"), b.account(1, "corridor_beneficiary"), _lognormal(rng, 1800, 0.5),
              "Cross-border", NAMES.get(dest, dest))
    for _ in range(max(n // 1500, 1)):  # controllers paying many workers small sums
        boss = b.account(1, "controller")
        for _ in range(rng.integers(8, 16)):
            b.add(boss, b.account(1, "controlled_worker"), _lognormal(rng, 300, 0.4), "Transfer")
    for _ in range(max(n // 200, 1)):  # laundering that looks ordinary
        b.add(b.account(1, "unremarkable"), b.account(1, "unremarkable"), _lognormal(rng, 150, 1.0), "Transfer")


def make_transfers(n: int = 5000, seed: int = 0, high_risk: tuple[str, ...] = HIGH_RISK,
                   start: str = "2026-09-01", days: int = 30) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw a labelled transfers file.

    Parameters
    ----------
    n : int
        Approximate number of ordinary transfers (the planted ones add about 10%).
    seed : int
        Random seed (use another seed for a held-out file).
    high_risk : tuple of str
        Corridor countries the laundering wires go to (legitimate remittances go there too).
    start : str
        First day.
    days : int
        Days covered.

    Returns
    -------
    transactions : pandas.DataFrame
        ``transaction_id, timestamp, from_account, to_account, amount, currency, type,
        country, counterparty_country`` (text timestamps; country names or codes; no MCC,
        no city), shuffled.
    labels : pandas.DataFrame
        ``account, is_laundering, typology`` for every account in the file.
    """
    if n < 100:
        raise ValueError(f"n={n!r}: expected at least 100 transfers")
    rng = np.random.default_rng(seed)
    book = _Book(rng, pd.Timestamp(start), days)
    _normal_activity(book, n, tuple(high_risk))
    _laundering(book, n, tuple(high_risk))
    tx = pd.DataFrame(book.rows).sample(frac=1.0, random_state=seed).reset_index(drop=True)
    tx.insert(0, "transaction_id", [f"TX{seed:03d}{i:07d}" for i in range(len(tx))])
    tx["timestamp"] = tx["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    tx["currency"] = "EUR"
    tx["country"] = "ESP"
    tx = tx[["transaction_id", "timestamp", "from_account", "to_account", "amount", "currency", "type", "country",
             "counterparty_country"]]
    used = set(tx["from_account"]) | set(tx["to_account"])
    labels = pd.DataFrame([(a, lab, typ) for a, (lab, typ) in book.labels.items() if a in used],
                          columns=["account", "is_laundering", "typology"])
    return tx, labels.sort_values("account").reset_index(drop=True)


def write_labelled_transfers(out_dir: str | Path, n: int = 5000, seed: int = 0) -> dict[str, Path]:
    """Write a training and a held-out labelled file (different seeds) as CSV.

    Parameters
    ----------
    out_dir : str or Path
        Folder written.
    n : int
        Ordinary transfers per file.
    seed : int
        Seed of the training file; the held-out file uses ``seed + 1``.

    Returns
    -------
    dict
        ``train``, ``train_labels``, ``holdout``, ``holdout_labels`` -> path.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for part, s in (("train", seed), ("holdout", seed + 1)):
        tx, labels = make_transfers(n, s)
        paths[part] = out / f"transfers_{part}.csv"
        paths[f"{part}_labels"] = out / f"transfers_{part}_labels.csv"
        tx.to_csv(paths[part], index=False)
        labels.to_csv(paths[f"{part}_labels"], index=False)
    return paths
