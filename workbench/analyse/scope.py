"""The scope of an analysis: region, period and exploitation type, applied the same way
in every report."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.taxonomy import load_taxonomy


@dataclass(frozen=True)
class Scope:
    """What a report looks at.

    Parameters
    ----------
    region : str
        ``"ALL"``, one ISO3 code, or several joined by commas (``"ESP,ITA"``).
    start, end : str
        Inclusive period on ``occurred_on`` (``YYYY-MM-DD``); empty means open.
    exploitation_type : str
        ``"ALL"`` or one taxonomy code.
    """

    region: str = "ALL"
    start: str = ""
    end: str = ""
    exploitation_type: str = "ALL"

    @property
    def countries(self) -> list[str] | None:
        """ISO3 codes in scope, or None for all."""
        if self.region.strip().upper() in ("", "ALL"):
            return None
        return [c.strip().upper() for c in self.region.split(",") if c.strip()]

    def apply(self, incidents: pd.DataFrame) -> pd.DataFrame:
        """Keep the incidents in scope.

        Parameters
        ----------
        incidents : pandas.DataFrame
            Store incidents.

        Returns
        -------
        pandas.DataFrame
            The rows in scope (incidents without a date are outside any bounded period).
        """
        keep = pd.Series(True, index=incidents.index)
        if self.countries is not None:
            keep &= incidents["country_iso3"].isin(self.countries).fillna(False).astype(bool)
        if self.start:
            keep &= (incidents["occurred_on"] >= pd.Timestamp(self.start)).fillna(False).astype(bool)
        if self.end:
            keep &= (incidents["occurred_on"] <= pd.Timestamp(self.end)).fillna(False).astype(bool)
        if self.exploitation_type.upper() != "ALL":
            if not load_taxonomy().is_valid("exploitation_types", self.exploitation_type):
                raise ValueError(f"exploitation_type {self.exploitation_type!r} is not in the taxonomy")
            keep &= incidents["exploitation_types"].map(lambda v: self.exploitation_type in list(v))
        return incidents.loc[keep]

    def type_label(self) -> str:
        """Words for what is counted: ``"trafficking"``, or the exploitation type's label."""
        if self.exploitation_type.upper() == "ALL":
            return "trafficking"
        return load_taxonomy().label("exploitation_types", self.exploitation_type).lower()

    def describe(self) -> str:
        """Return a one-line description for report headers."""
        region = "all regions" if self.countries is None else ", ".join(self.countries)
        etype = "all exploitation types" if self.exploitation_type.upper() == "ALL" else self.exploitation_type
        period = f"{self.start or 'start'} to {self.end or 'latest'}"
        return f"{region}; {etype}; {period}"

    def trailing(self, months: int, latest: pd.Timestamp | None = None) -> "Scope":
        """Return the same scope over the ``months`` whole months ending with its period.

        Parameters
        ----------
        months : int
            Length of the window in months.
        latest : pandas.Timestamp, optional
            End to use when this scope's period is open-ended (e.g. the latest incident).

        Returns
        -------
        Scope
            Same region and type; ``start`` at the first day of the first month.
        """
        end = pd.Timestamp(self.end) if self.end else pd.Timestamp(latest)
        start = (end.to_period("M") - (months - 1)).to_timestamp()
        return Scope(self.region, str(start.date()), str(end.date()), self.exploitation_type)
