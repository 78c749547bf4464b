"""Screen bank transactions for the financial typologies of human trafficking.

The typologies are data (``workbench/resources/typologies.yaml``, versioned, each rule
citing the advisory it comes from: FinCEN FIN-2020-A008, FATF-APG 2018 "Financial Flows
from Human Trafficking", FINTRAC Project Protect). A rule selects a subset of an
account's transactions in the screening window (merchant category codes, channel,
hour, direction, countries...) and fires when count, amount and distinct-value
thresholds are all met. :class:`TypologyScreen` evaluates every rule for every account
and scores the account by the noisy-OR of the weights of the rules it fires::

    score = 1 - prod_i (1 - weight_i)      (over the rules the account fires)

so one rule of weight 0.35 gives 0.35, two give 0.58, and the score stays in [0, 1).
Each hit carries its evidence numbers and an explanation generated from the rule's
template, e.g. "14 payments to online classified/escort ad sites (MCC
7311/5967/5969/7273) totalling 1,240 EUR in 30 days (threshold 8)".

Streaming: each chunk of transactions is validated and reduced to sufficient statistics
per account, rule and day (count, amount in integer cents, distinct values); the rules
are applied once, after the last chunk, so accounts that span chunks are scored exactly
as in memory (:meth:`TypologyScreen.fit_chunks`, :meth:`TypologyScreen.screen_file`).

Input schema (one row per transaction; amounts signed: negative = money out):

====================  ========  ==========================================================
column                required  meaning
====================  ========  ==========================================================
account               yes       bank-internal pseudonym of the screened account
counterparty          no        pseudonym of the other party (payer/payee/merchant)
amount                yes       signed amount, non-zero (negative: debit, positive: credit)
currency              yes       ISO 4217 code (the report currency or one in ``fx_rates``)
timestamp             yes       local date-time, ISO 8601
channel               yes       one of :data:`CHANNELS`
merchant_category     no        4-digit MCC (card and bill payments)
city                  no        city of the merchant, branch or ATM
country_iso3          no        counterparty's country (ISO 3166-1 alpha-3)
lat, lon              no        coordinates of the branch/ATM/merchant
transaction_id        no        record id used in rejects (else the row number, from 0)
====================  ========  ==========================================================

Rows that fail validation are returned as ``rejects`` (record, field, value, reason):
rows in = rows scored + rows rejected. :func:`workbench.apply.calibration.calibrate`
learns weights from labelled accounts and compares precision at a fixed alert budget with
the hand weights.
"""

from workbench.apply.screening.engine import TypologyScreen, high_risk_countries, screen_file
from workbench.apply.screening.results import ScreeningResults, alert_table, typology_counts
from workbench.apply.screening.transfer_screen import (TransferResults, TransferRuleSet, TransferScreen,
                                                       corridor_countries, load_transfer_rules)
from workbench.apply.screening.transfers import TRANSFER_COLUMNS, TRANSFER_TYPES, validate_transfers
from workbench.apply.screening.rules import DISTINCT_FIELDS, WHERE_FIELDS, Rule, RuleSet, load_rules
from workbench.apply.screening.validate import (CHANNELS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS, iter_transactions,
                                               validate_transactions)

__all__ = ["CHANNELS", "DISTINCT_FIELDS", "OPTIONAL_COLUMNS", "REQUIRED_COLUMNS", "WHERE_FIELDS", "Rule", "RuleSet",
           "ScreeningResults", "TypologyScreen", "alert_table", "high_risk_countries", "iter_transactions",
           "load_rules", "screen_file", "typology_counts", "validate_transactions", "TRANSFER_COLUMNS",
           "TRANSFER_TYPES", "TransferResults", "TransferRuleSet", "TransferScreen", "corridor_countries",
           "load_transfer_rules", "validate_transfers"]
