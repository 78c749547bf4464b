# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Transaction typology screening
# Screens a bank's transactions against the financial typologies of human trafficking
# (FinCEN FIN-2020-A008, FATF-APG 2018, FINTRAC Project Protect), kept as versioned data.
# Each account gets a score (noisy-OR of the weights of the typologies it fires) and an
# explanation naming its numbers. The high-risk corridor countries come from the incident
# store. Account ids are the bank's own pseudonyms; the public audience sees only how many
# accounts fired each typology, with small counts withheld.

# %% tags=["parameters"]
audience = "partner"
window_days = 30
alert_budget = 20
high_risk_top = 6
rules_version = ""

# %%
from IPython.display import HTML, display

from workbench import catalog
from workbench.apply import calibration, screening
from workbench.share import disclosure, report, tables
from workbench.share.ledger import DisclosureLedger

policy = disclosure.policy_for(audience)
bank = catalog.metadata("bank_transactions")
risk = screening.high_risk_countries(catalog.load("incidents"), top=high_risk_top, exclude=(bank["home_country"],))
screen = screening.TypologyScreen(high_risk_countries=risk, window_days=window_days, currency=bank["currency"])
if rules_version and screen.rules.version != rules_version:
    raise ValueError(f"parameter rules_version={rules_version!r}: the installed rules are {screen.rules.version!r}")
results = screen.fit(catalog.load("bank_transactions"))
ledger = DisclosureLedger.for_policy(policy, "typology_screening")
alerts, counts = report.screening_view(results, screening.alert_table(results, policy, alert_budget), policy,
                                       alert_budget, ledger)
screened = ledger.add("screening|accounts screened", int(len(results.scores)) if hasattr(results, "scores") else 0)
flagged = "screening|accounts with a typology"
top_rule = counts.dropna(subset=["accounts"]).sort_values("accounts", ascending=False).head(1)
found = [
    report.KeyFinding("screening:flagged", f"{{{flagged}}} of {{{screened}}} accounts fired at least one trafficking "
                      f"typology in the {window_days} days screened (rules {results.rules.version}).", "", "alerts",
                      "alerts"),
    report.KeyFinding("screening:alerts", f"{len(alerts):,} account(s) listed for review, highest score first"
                      + ("" if len(alerts) else " (account-level alerts are not shown to this audience)") + ".",
                      "", "alerts", "alerts"),
    report.KeyFinding("screening:typology", (f"Most fired typology: {top_rule.iloc[0]['title']}." if len(top_rule) else
                      f"Every typology fired on fewer than {policy.k} accounts, or on a number that would reveal one: "
                      "counts withheld."), "", "typologies", "typologies"),
    report.KeyFinding("screening:corridors", "High-risk corridor countries from the incident store: "
                      + ", ".join(risk) + ".", "", "typologies", "typologies"),
]
ledger.settle()
display(HTML(report.key_findings_html(found, ledger, tables.header_text_plain(policy, results.summary().split(";")[1]))))
_ = report.publish_ledger(ledger)
report.typology_chart(counts, policy)

# %% [markdown]
# ## Alerts (highest scores first) <a id="alerts"></a>

# %%
tables.render(tables.readable(alerts), policy, empty="Account-level alerts are not shown to this audience, or no account fired a typology.")

# %% [markdown]
# ## Accounts firing each typology <a id="typologies"></a>

# %%
tables.render(tables.readable(counts), policy)

# %% [markdown]
# ## The typology rules and their sources

# %%
tables.render(tables.readable(results.rules.table()))

# %% [markdown]
# ## Calibration: hand weights versus weights learned from labelled accounts
# Precision = confirmed cases among the top alerts reviewed; recall = share of all
# confirmed cases found there. Learning weights needs labelled outcomes.

# %%
fitted = calibration.calibrate(results, catalog.load("bank_labels"), budget=alert_budget)
print(fitted.note)
ranking = calibration.ranking_metrics(results.scores.set_index("account")["score"],
                                      catalog.load("bank_labels").set_index("account")["is_trafficking"], alert_budget)
print(f"Hand-weight ranking on the labelled accounts: ROC AUC {ranking['auc']:.3f} (random: 0.500); precision "
      f"in the top {alert_budget} {ranking['precision']:.2f} (random: {ranking['prevalence']:.3f}).")
tables.render(tables.readable(calibration.calibration_table(fitted)))

# %%
tables.render(tables.readable(calibration.weights_table(fitted)))
