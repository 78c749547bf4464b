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
h3_resolution = 5
top = 10

# %%
from IPython.display import HTML, display

from workbench import catalog
from workbench.analyse.scope import Scope
from workbench.share import assessment, disclosure, judgements, tables

policy = disclosure.policy_for(audience)
scope = Scope(region, "", "", exploitation_type, sources)
incidents = scope.apply(catalog.load("incidents"))
found = assessment.assess(incidents, end=end_month or None, window_months=window_months,
                          trend_months=trend_months, resolution=min(h3_resolution, policy.h3_resolution),
                          top=top, type_label=scope.type_label())
display(tables.header(scope, policy, f"{len(found)} judgement(s)."))
display(scope.block(incidents, policy, catalog.load("quarantine")))
tables.render(judgements.judgement_table(found), policy, empty="No judgement could be supported by the data in scope.")

# %% [markdown]
# ## The judgements

# %%
HTML(judgements.render_judgements(found, policy))

# %% [markdown]
# ## Yardstick check
# Every yardstick term above carries the probability it was computed from, inside the term's
# published band; a report that fails this check is not rendered.

# %%
problems = judgements.check_judgements(found)
display(HTML(f"<p>{len(found)} judgement(s) checked; {len(problems)} problem(s).</p>"))
tables.render(judgements.yardstick_table())
