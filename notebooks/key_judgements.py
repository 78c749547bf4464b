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
# # Key Judgements
# Computed statements (new hotspots, surges, growing corridors, trends), each with the
# probability that it is true in the words and bands of the UK PHIA probability yardstick,
# an analytical confidence, the grading of the sources behind it, its assumptions and the
# indicators that would change it. Probability says what the data show; confidence says
# how far the data can be trusted.

# %% tags=["parameters"]
region = "ALL"
exploitation_type = "ALL"
end_month = ""
window_months = 6
trend_months = 24
audience = "partner"
sources = "ALL"
h3_resolution = 0
top = 10

# %%
from IPython.display import HTML, display

from workbench import catalog
from workbench.analyse.scope import Scope
from workbench.share import disclosure, judgements, report, tables

policy = disclosure.policy_for(audience)
scope = Scope(region, "", "", exploitation_type, sources)
resolution = min(h3_resolution or policy.h3_resolution, policy.h3_resolution)
found = report.findings_for(region=region, exploitation_type=exploitation_type, sources=sources, end_month=end_month,
                              window_months=window_months, trend_months=trend_months, resolution=resolution)
incidents = scope.apply(catalog.load("incidents"))
ledger = report.open_report(found, policy, incidents, tables.header_text(scope, policy, f"{len(found.judgements)} "
                                                                           "judgement(s)."),
                            sections={k: "the-judgements" for k in ("volume", "hotspots", "surges", "corridors",
                                                                    "trends")},
                            order=("hotspots", "surges", "corridors", "trends", "volume"), report="key_judgements")
prepared = report.judgement_blocks(found.judgements[:top], ledger, report.scope_id(found))
ledger.settle()
_ = report.publish_ledger(ledger)
scope.block(incidents, policy, catalog.load("quarantine"))

# %% [markdown]
# ## The judgements <a id="the-judgements"></a>

# %%
HTML(report.judgements_html(prepared, ledger))

# %% [markdown]
# ## Withheld judgements
# Candidate judgements the artefact checks withheld (a source starting or stopping inside
# the window, year-only dates, records placed only at a country or region centre), with the
# reason. Downgraded judgements above carry their caveat.

# %%
HTML(report.withheld_html(found))

# %% [markdown]
# ## Hotspot inference

# %%
import html as _html

HTML(f"<p>{_html.escape(found.hotspot_inference or 'No hotspot test: too few located incidents in the window.')}</p>")

# %% [markdown]
# ## Appendix: yardstick check
# Every yardstick term above carries the probability it was computed from, inside the term's
# published band; a report that fails this check is not rendered.

# %%
problems = judgements.check_judgements(report.key_judgements(found))
display(HTML(f"<p>{len(found.judgements)} judgement(s) checked; {len(problems)} problem(s).</p>"))
tables.render(judgements.yardstick_table())
