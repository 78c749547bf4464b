"""A seeded synthetic bank for the typology screening demo. No real person appears.

:func:`write_transactions` (registered in :data:`workbench.synthetic.GENERATORS`)
writes ``bank_transactions.csv`` (about 2,000 ordinary accounts over 60 days: salary,
rent, utilities, groceries, restaurants, fuel, ATM cash, occasional hotels and travel)
and ``bank_labels.csv`` (``account, is_trafficking``), and returns the ground truth:

- a few planted trafficker accounts, each showing several typologies of
  ``resources/typologies.yaml`` (online ad payments, hotels, late-night cash, funnel
  deposits, pooled wages, several rents, transfers to high-risk countries...);
- "noisy" legitimate accounts with exactly one red flag each (a travelling salesperson
  in hotels, a bartender depositing tips at night, a small business paying wages, a
  migrant worker sending money home, a marketer buying ads...).

The high-risk countries the traffickers send money to are derived from the simulated
incidents (the same way the notebook derives them from the store), so the corridor rule
finds them. The bank is in Spain (EUR); account ids are pseudonyms.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.apply.screening import high_risk_countries

#: Bank's home country and currency.
HOME = ("ESP", "EUR")
#: Cities of the bank's branches and customers (weights: share of customers).
CITIES = {"Madrid": 0.3, "Barcelona": 0.22, "Valencia": 0.1, "Sevilla": 0.08, "Zaragoza": 0.06, "Málaga": 0.06,
          "Bilbao": 0.05, "Murcia": 0.05, "Almería": 0.04, "Palma": 0.04}
#: Days of history, ending on END.
DAYS = 60
END = "2026-10-31"
N_ACCOUNTS = 2000

_AD_MCC = (7311, 5967, 5969, 7273)
_TRAVEL_MCC = (4511, 4111, 4131, 4112, 4722, 3005)


class _Ledger:
    """Collects transaction columns drawn in vectorised batches."""

    def __init__(self, rng: np.random.Generator, start: np.datetime64):
        self.rng, self.start, self.parts = rng, start, []

    def add(self, acc: np.ndarray, counts: np.ndarray | int, *, amount: tuple[float, float], sign: int,
            channel: str, mcc: int | tuple[int, ...] | None = None, hours: tuple[int, int] = (8, 21),
            days: tuple[int, int] = (0, DAYS), city: np.ndarray | str | None = None,
            counterparty: np.ndarray | str | None = None, country: str | np.ndarray = HOME[0]) -> None:
        """Add ``counts[i]`` transactions for account index ``acc[i]``.

        ``city``/``counterparty``: per account (length ``len(acc)``), a constant, or None
        (drawn per transaction); ``hours``: inclusive range, wrapping past midnight.
        """
        rng = self.rng
        counts = np.broadcast_to(np.asarray(counts), acc.shape)
        who = np.repeat(np.arange(len(acc)), counts)
        n = len(who)
        if n == 0:
            return
        lo, hi = hours
        span = (hi - lo) % 24 + 1
        hour = (lo + rng.integers(0, span, n)) % 24
        day = rng.integers(days[0], days[1], n)
        ts = (self.start + day.astype("timedelta64[D]") + hour.astype("timedelta64[h]")
              + rng.integers(0, 60, n).astype("timedelta64[m]"))
        mean, sd = amount
        value = np.round(np.maximum(rng.normal(mean, sd, n), 1.0), 2) * sign
        if mcc is None:
            mcc_col = np.full(n, "", dtype=object)
        else:
            codes = np.atleast_1d(np.asarray(mcc))
            mcc_col = codes[rng.integers(0, len(codes), n)].astype(str).astype(object)

        def per(value_, default):
            if value_ is None:
                return default
            if isinstance(value_, str):
                return np.full(n, value_, dtype=object)
            return np.asarray(value_, dtype=object)[who]

        self.parts.append({
            "account": acc[who], "amount": value, "timestamp": ts, "channel": np.full(n, channel, dtype=object),
            "merchant_category": mcc_col,
            "city": per(city, np.full(n, "", dtype=object)),
            "counterparty": per(counterparty, np.char.add("MER-", rng.integers(1000, 9999, n).astype(str)).astype(object)),
            "country_iso3": per(country, None),
        })

    def frame(self) -> pd.DataFrame:
        """All transactions drawn so far."""
        return pd.DataFrame({k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]})


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a CSV quickly with pyarrow's writer."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = pa.Table.from_pandas(frame, preserve_index=False)
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))


def _risk_countries(world: pd.DataFrame, top: int) -> tuple[str, ...]:
    frame = world.rename(columns={"origin_iso3": "origin_country_iso3"})
    return high_risk_countries(frame, top=top, exclude=(HOME[0],))


class _Planter:
    """Adds planted behaviour to one account, the same in both 30-day blocks."""

    per_block = ((0, 30), (30, DAYS))

    def __init__(self, ledger: _Ledger, rng: np.random.Generator, acc: np.ndarray):
        self.ledger, self.rng, self.acc = ledger, rng, acc
        self.cities = np.array(list(CITIES), dtype=object)

    def each_block(self, i: int, count: int, **kw: Any) -> None:
        for days in self.per_block:
            self.ledger.add(self.acc[[i]], count, days=days, **kw)

    def roaming(self, i: int, count: int, k: int, **kw: Any) -> None:
        """``count`` transactions per block spread over ``k`` different cities."""
        where = self.cities[self.rng.choice(len(self.cities), k, replace=False)]
        for days in self.per_block:
            for j in range(k):
                self.ledger.add(self.acc[[i]], count // k + (j < count % k), days=days, city=where[j], **kw)

    def ads(self, i: int, n: int) -> None:
        self.each_block(i, n, amount=(45, 20), sign=-1, channel="card", mcc=_AD_MCC, hours=(0, 23),
                        counterparty="ADS-SITE-" + str(i % 3))

    def hotels(self, i: int, n: int, k: int) -> None:
        self.roaming(i, n, k, amount=(75, 25), sign=-1, channel="card", mcc=7011, hours=(12, 23))

    def travel(self, i: int, n: int) -> None:
        self.each_block(i, n, amount=(60, 30), sign=-1, channel="card", mcc=_TRAVEL_MCC)

    def night_cash(self, i: int, n: int, k: int) -> None:
        self.roaming(i, n, k, amount=(400, 150), sign=1, channel="atm", hours=(23, 4), counterparty="ATM")

    def day_cash(self, i: int, n: int, k: int) -> None:
        self.roaming(i, n, k, amount=(600, 200), sign=1, channel="cash", hours=(10, 14), counterparty="BRANCH")

    def corridor(self, i: int, n: int, country: str) -> None:
        self.each_block(i, n, amount=(500, 150), sign=-1, channel="transfer", hours=(9, 20),
                        counterparty="BEN-" + country, country=country)

    def many_rents(self, i: int, k: int) -> None:
        for j in range(k):
            self.each_block(i, 1, amount=(700, 100), sign=-1, channel="transfer", mcc=6513, hours=(8, 10),
                            counterparty=f"LL-X{i}-{j}")

    def wages_in(self, i: int, k: int) -> None:
        for j in range(k):
            self.each_block(i, 1, amount=(1100, 200), sign=1, channel="payroll", hours=(6, 9),
                            counterparty=f"EMP-X{i}-{j}")

    def wages_out(self, i: int, k: int) -> None:
        for j in range(k):
            self.each_block(i, 1, amount=(900, 150), sign=-1, channel="payroll", hours=(8, 10),
                            counterparty=f"WRK-{i}-{j}")


def _ordinary_life(ledger: _Ledger, rng: np.random.Generator, acc: np.ndarray, home: np.ndarray,
                   employer: np.ndarray, landlord: np.ndarray) -> None:
    """Pay, rent, bills, shopping, cash, occasional hotels and travel, and remittances of every account."""
    months = 2  # the 60 days hold two pay and rent cycles
    names = list(CITIES)
    ledger.add(acc, months, amount=(2100, 600), sign=1, channel="payroll", hours=(6, 9), counterparty=employer,
               city=home)
    renters = rng.random(N_ACCOUNTS) < 0.7
    ledger.add(acc[renters], months, amount=(850, 250), sign=-1, channel="direct_debit", mcc=6513, hours=(6, 9),
               counterparty=landlord[renters], city=home[renters])
    ledger.add(acc, 2 * months, amount=(70, 25), sign=-1, channel="direct_debit", mcc=(4900, 4814), hours=(6, 9),
               counterparty="UTIL-01", city=home)
    for mcc, lam, amount in ((5411, 7, (45, 25)), (5812, 2.5, (30, 15)), (5541, 1.5, (55, 15)), (5912, 0.6, (20, 10)),
                             (5651, 0.5, (60, 30))):
        ledger.add(acc, rng.poisson(lam * months, N_ACCOUNTS), amount=amount, sign=-1, channel="card", mcc=mcc,
                   city=home)
    ledger.add(acc, rng.poisson(1.8 * months, N_ACCOUNTS), amount=(80, 40), sign=-1, channel="atm", hours=(7, 23),
               counterparty="ATM", city=home)
    ledger.add(acc, rng.poisson(0.3 * months, N_ACCOUNTS), amount=(200, 100), sign=1, channel="cash", hours=(9, 14),
               counterparty="BRANCH", city=home)
    travel_city = np.array(names, dtype=object)[rng.integers(0, len(names), N_ACCOUNTS)]
    ledger.add(acc, rng.poisson(0.15 * months, N_ACCOUNTS), amount=(110, 40), sign=-1, channel="card", mcc=7011,
               city=travel_city)
    ledger.add(acc, rng.poisson(0.2 * months, N_ACCOUNTS), amount=(90, 50), sign=-1, channel="card", mcc=_TRAVEL_MCC)
    ledger.add(acc, rng.poisson(0.1 * months, N_ACCOUNTS), amount=(15, 8), sign=-1, channel="card", mcc=5969)
    abroad = rng.random(N_ACCOUNTS) < 0.08
    ledger.add(acc[abroad], rng.poisson(1.0 * months, int(abroad.sum())), amount=(150, 60), sign=-1,
               channel="transfer", counterparty="REMIT-" + acc[abroad],
               country=rng.choice(["PRT", "FRA", "DEU", "COL", "ECU"], int(abroad.sum())).astype(object), hours=(9, 20))


def _plant_traffickers(pl: _Planter, p: np.ndarray, risk: tuple[str, ...]) -> list[tuple[int, list[str]]]:
    """Five trafficker accounts, each showing several typologies; returns (index, typologies)."""
    pl.ads(p[0], 14)
    pl.hotels(p[0], 10, 4)
    pl.travel(p[0], 5)
    pl.night_cash(p[0], 8, 5)
    pl.many_rents(p[0], 3)
    pl.corridor(p[0], 4, risk[0])
    pl.ads(p[1], 10)
    pl.hotels(p[1], 7, 3)
    pl.night_cash(p[1], 6, 4)
    pl.travel(p[1], 4)
    pl.wages_in(p[2], 4)
    pl.many_rents(p[2], 3)
    pl.corridor(p[2], 3, risk[min(1, len(risk) - 1)])
    pl.travel(p[2], 4)
    pl.wages_out(p[3], 10)
    pl.many_rents(p[3], 4)
    pl.corridor(p[3], 4, risk[0])
    pl.wages_in(p[3], 3)
    pl.ads(p[4], 9)
    pl.night_cash(p[4], 6, 2)
    pl.hotels(p[4], 6, 2)
    pl.corridor(p[4], 3, risk[min(2, len(risk) - 1)])
    return [
        (p[0], ["classified_ads", "hotel_stays", "travel_bookings", "late_night_cash", "funnel_account",
                "multiple_rents", "high_risk_corridor"]),
        (p[1], ["classified_ads", "hotel_stays", "late_night_cash", "funnel_account", "travel_bookings"]),
        (p[2], ["pooled_wages", "multiple_rents", "high_risk_corridor", "travel_bookings"]),
        (p[3], ["wages_to_many", "multiple_rents", "high_risk_corridor", "pooled_wages"]),
        (p[4], ["classified_ads", "late_night_cash", "hotel_stays", "high_risk_corridor"]),
    ]


def _plant_noisy(pl: _Planter, q: np.ndarray, remit_to: str) -> list[tuple[int, str, str]]:
    """Thirteen legitimate accounts with exactly one red flag each; returns (index, typology, story)."""
    for i in q[:3]:
        pl.hotels(i, 9, 5)
    for i in q[3:5]:
        pl.night_cash(i, 7, 1)
    for i in q[5:7]:
        pl.wages_out(i, 9)
    for i in q[7:9]:
        pl.corridor(i, 3, remit_to)
    for i in q[9:11]:
        pl.each_block(i, 12, amount=(120, 60), sign=-1, channel="card", mcc=7311, counterparty="ADS-AGENCY")
    pl.day_cash(q[11], 6, 4)
    pl.many_rents(q[12], 3)
    return [
        (q[0], "hotel_stays", "travelling salesperson"), (q[1], "hotel_stays", "travelling salesperson"),
        (q[2], "hotel_stays", "travelling salesperson"), (q[3], "late_night_cash", "bartender depositing tips"),
        (q[4], "late_night_cash", "bartender depositing tips"), (q[5], "wages_to_many", "small business payroll"),
        (q[6], "wages_to_many", "small business payroll"), (q[7], "high_risk_corridor", "migrant worker remittances"),
        (q[8], "high_risk_corridor", "migrant worker remittances"), (q[9], "classified_ads", "marketing freelancer"),
        (q[10], "classified_ads", "marketing freelancer"), (q[11], "funnel_account", "market trader banking takings"),
        (q[12], "multiple_rents", "letting agent's client paying several rents"),
    ]


def write_transactions(world: pd.DataFrame, out_dir: Path, seed: int) -> dict[str, Any]:
    """Write the synthetic bank's transactions and labels.

    Parameters
    ----------
    world : pandas.DataFrame
        True incidents from :func:`workbench.synthetic.demo.simulate_incidents` (countries of
        exploitation and origin decide the high-risk corridors).
    out_dir : Path
        Folder for ``bank_transactions.csv`` and ``bank_labels.csv``.
    seed : int
        Random seed.

    Returns
    -------
    dict
        Ground truth: files and counts, planted trafficker accounts (most typologies
        first) with their typologies, noisy accounts with their single flag, the
        high-risk countries used, home country, currency and the last day.
    """
    rng = np.random.default_rng(seed + 404)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    start = np.datetime64(END, "D") - np.timedelta64(DAYS - 1, "D")
    ledger = _Ledger(rng, start)
    risk = _risk_countries(world, top=3)
    remit_to = "ROU" if "ROU" in risk else risk[-1]

    numbers = rng.choice(np.arange(100000, 999999), size=N_ACCOUNTS, replace=False)
    acc = np.array([f"AC{n}" for n in numbers], dtype=object)
    names = list(CITIES)
    home = np.array(names, dtype=object)[rng.choice(len(names), N_ACCOUNTS, p=np.array(list(CITIES.values())))]
    employer = np.char.add("EMP-", rng.integers(100, 999, N_ACCOUNTS).astype(str)).astype(object)
    landlord = np.char.add("LL-", rng.integers(1000, 9999, N_ACCOUNTS).astype(str)).astype(object)
    _ordinary_life(ledger, rng, acc, home, employer, landlord)
    order = rng.permutation(N_ACCOUNTS)
    planted_idx, noisy_idx = order[:5], order[5:18]
    planter = _Planter(ledger, rng, acc)
    planted_spec = _plant_traffickers(planter, planted_idx, risk)
    noisy_spec = _plant_noisy(planter, noisy_idx, remit_to)

    frame = ledger.frame()
    frame["currency"] = HOME[1]
    frame = frame.sort_values(["timestamp", "account"], kind="mergesort").reset_index(drop=True)
    frame.insert(0, "transaction_id", [f"TX{i:07d}" for i in range(len(frame))])
    frame["timestamp"] = np.datetime_as_string(frame["timestamp"].to_numpy().astype("datetime64[s]"), unit="s")
    cols = ["transaction_id", "account", "counterparty", "amount", "currency", "timestamp", "channel",
            "merchant_category", "city", "country_iso3"]
    _write_csv(frame[cols], out / "bank_transactions.csv")
    labels = pd.DataFrame({"account": acc, "is_trafficking": 0})
    labels.loc[planted_idx, "is_trafficking"] = 1
    labels.sort_values("account").to_csv(out / "bank_labels.csv", index=False, encoding="utf-8")
    return {
        "files": {"bank_transactions.csv": int(len(frame)), "bank_labels.csv": int(len(labels))},
        "home_country": HOME[0], "currency": HOME[1], "last_day": END, "days": DAYS,
        "high_risk_countries": list(risk),
        "planted_accounts": [{"account": str(acc[i]), "typologies": t} for i, t in planted_spec],
        "noisy_accounts": [{"account": str(acc[i]), "typology": t, "story": s} for i, t, s in noisy_spec],
    }
