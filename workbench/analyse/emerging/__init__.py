"""Emerging hot spots: how Gi* hot and cold spots change over time (space-time pattern).

Follows ArcGIS Pro's *Emerging Hot Spot Analysis*. Each place (an H3 cell or a
country) is scored with the Getis-Ord Gi* statistic at every time step, against that
step's own mean and variance (binary weights, focal place included, as in
:mod:`workbench.analyse.getis_ord`: H3 cells within ``k_ring`` steps; countries that
share a border or a corner, Queen contiguity, with the ``knn`` nearest countries standing
in as neighbours of a country that touches none, e.g. an island). p-values are two-sided
under normality and adjusted with Benjamini-Hochberg across the places of each time step
(q-values): a bin is a *significant hot* bin when q <= ``alpha`` and z > 0, *cold* when
q <= ``alpha`` and z < 0. The trend of each place's series of Gi* z-scores is tested
with the Mann-Kendall test (S statistic, normal approximation with the variance
corrected for ties and a continuity correction of 1, two-sided, significant at
``alpha``; ties matter because a step with no incidents scores z = 0 everywhere).

Pattern classes (ArcGIS's definitions; ``n`` time steps; "90%" means at least 90% of
the steps). The final time step decides the family: a place significant hot in the final
step gets a hot class, significant cold a cold class. For a place hot in the final step:

- **intensifying hot spot**: hot in at least 90% of the steps, and its Gi* z-scores
  trend significantly upwards (clustering of high counts grows stronger);
- **diminishing hot spot**: hot in at least 90% of the steps, with a significant
  downward trend;
- **persistent hot spot**: hot in at least 90% of the steps, with no significant trend;
- **oscillating hot spot**: hot in fewer than 90% of the steps and significantly *cold*
  in at least one earlier step;
- **new hot spot**: hot in the final step only (never significant hot before, never
  cold before);
- **consecutive hot spot**: a single uninterrupted run of at least two hot steps that
  ends with the final step, never hot before the run, never cold, fewer than 90% hot;
- **sporadic hot spot**: otherwise, i.e. hot now and on-and-off hot before, fewer than
  90% of the steps hot, never cold.

A place *not* significant in the final step is a **historical hot spot** when it was hot
in at least 90% of the steps (the clustering is in the past). Cold classes mirror these
with hot and cold swapped; an *intensifying* cold spot has z-scores trending
significantly downwards (ever colder), a *diminishing* one upwards. Anything else is
**no pattern detected**.

Precedence where ArcGIS's wording lets two definitions overlap (documented choices):
the 90% rules come first; ArcGIS's persistent hot spot does not mention the final step,
but here it requires it (as intensifying and diminishing do) so that it is disjoint from
historical, whose definition is exactly "at least 90% hot, final step not hot"; a place
that was ever significantly cold before becoming hot is *oscillating* even when its hot
steps would also read as new or consecutive (ArcGIS's sporadic class explicitly excludes
cold steps, and the cold history is the more telling fact).

Sparse-data guard (not in ArcGIS): a significant hot bin must also hold at least
``min_count`` incidents in its neighbourhood (default 3). In a week with a handful of
incidents over thousands of cells, one incident alone makes its neighbourhood
"significant" (z above 10), and such noise would otherwise fill the map with new and
sporadic hot spots.

Differences from ArcGIS: the neighbourhood is spatial only (no neighbourhood time step)
and each time step is compared with its own slice rather than the whole cube, so a
region-wide rise in reporting does not make every place hot. ArcGIS advises at least 10
time steps; with fewer, ``note`` says so. The calibration caveats of
:mod:`workbench.analyse.getis_ord` apply per step: with very sparse counts (well under a
few incidents per place and step) the normal approximation is anti-conservative, so
prefer coarser cells or longer steps (months rather than weeks).

The computation is vectorised: one sparse weights matrix times the places x steps count
matrix gives every step's Gi* at once; the Mann-Kendall S sums lagged sign differences
over all places at once (under a second for 3,000 cells x 52 weeks).

The package: :mod:`~workbench.analyse.emerging.patterns` (the classes, the Mann-Kendall
test and the classification rules), :mod:`~workbench.analyse.emerging.adjacency`
(country contiguity), :mod:`~workbench.analyse.emerging.cube` (the place x step count
cube) and :mod:`~workbench.analyse.emerging.model` (:class:`EmergingHotspots`,
:class:`EmergingResults`, :func:`recent_emerging`).
"""

from workbench.analyse.emerging.patterns import (CLASSES, MIN_STEPS, MOSTLY, NO_PATTERN, PATTERNS, classify_patterns,
                                                 mann_kendall)
from workbench.analyse.emerging.adjacency import country_adjacency
from workbench.analyse.emerging.cube import space_time_counts
from workbench.analyse.emerging.model import EmergingHotspots, EmergingResults, recent_emerging

__all__ = ["CLASSES", "MIN_STEPS", "MOSTLY", "NO_PATTERN", "PATTERNS", "EmergingHotspots", "EmergingResults",
           "classify_patterns", "country_adjacency", "mann_kendall", "recent_emerging", "space_time_counts"]
