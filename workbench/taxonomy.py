"""Our categories, and partner crosswalks onto them, loaded from YAML.

The taxonomy lives in ``workbench/resources/taxonomy.yaml``; each partner's crosswalk in
``<workspace>/crosswalks/<name>.yaml`` (looked up first) or the packaged
``workbench/resources/crosswalks/<name>.yaml``. A crosswalk maps the partner's own
category labels onto our codes. A value the crosswalk does not know is *reported*
(field, value, record), never guessed. A crosswalk may name values the partner uses for
"not known" (``unknown: ["0", "n/a"]``): in any column they mean unknown, stored as
unknown (never quarantined). A crosswalk with no ``fields:`` (every category from
``defaults:``) is valid: every row is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

import pandas as pd
import yaml

from workbench.exceptions import UnknownVocabularyError
from workbench.workspace import workspace

#: Taxonomy vocabularies whose values are lists in the store (several per incident).
MULTI_VALUED = ("exploitation_types", "means_of_control")

#: Store column -> taxonomy vocabulary, for single-valued categorical columns.
VOCABULARY_OF_COLUMN = {
    "exploitation_types": "exploitation_types",
    "means_of_control": "means_of_control",
    "recruitment_method": "recruitment_methods",
    "sector": "sectors",
    "transport": "transport",
    "victim_gender": "victim_gender",
    "victim_age_band": "victim_age_band",
    "source_type": "source_types",
    "source_reliability": "source_reliability",
    "info_credibility": "info_credibility",
    "occurred_precision": "date_precision",
    "location_precision": "location_precision",
}


@dataclass(frozen=True)
class Taxonomy:
    """The workbench's controlled vocabularies.

    Parameters
    ----------
    vocabularies : dict
        Vocabulary name -> {code: label}.
    version : int
        Version of the taxonomy file.
    """

    vocabularies: dict[str, dict[str, str]]
    version: int = 1

    def codes(self, vocabulary: str) -> list[str]:
        """Return the codes of one vocabulary.

        Parameters
        ----------
        vocabulary : str
            Vocabulary name, e.g. ``"exploitation_types"``.

        Returns
        -------
        list of str
            The codes, in file order.
        """
        try:
            return list(self.vocabularies[vocabulary])
        except KeyError as exc:
            raise UnknownVocabularyError(
                f"no vocabulary {vocabulary!r}; known: {sorted(self.vocabularies)}"
            ) from exc

    def label(self, vocabulary: str, code: str) -> str:
        """Return the human label of a code (the code itself if it has none).

        Parameters
        ----------
        vocabulary : str
            Vocabulary name.
        code : str
            A code of that vocabulary.

        Returns
        -------
        str
            The label.
        """
        return self.vocabularies.get(vocabulary, {}).get(code, code)

    def is_valid(self, vocabulary: str, code: Any) -> bool:
        """Tell whether ``code`` belongs to ``vocabulary``.

        Parameters
        ----------
        vocabulary : str
            Vocabulary name.
        code : Any
            Candidate value.

        Returns
        -------
        bool
            True when the code is one of the vocabulary's codes.
        """
        return str(code) in self.vocabularies.get(vocabulary, {})


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    """Load the packaged taxonomy.

    Returns
    -------
    Taxonomy
        The vocabularies from ``resources/taxonomy.yaml``.
    """
    text = resources.files("workbench").joinpath("resources/taxonomy.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    version = int(raw.pop("version", 1))
    vocabularies = {name: {str(k): str(v) for k, v in codes.items()} for name, codes in raw.items()}
    return Taxonomy(vocabularies=vocabularies, version=version)


@dataclass(frozen=True)
class FieldMapping:
    """How one partner column maps onto one of our categorical fields.

    Parameters
    ----------
    target : str
        Our store column, e.g. ``"exploitation_types"``.
    source_column : str
        The partner's column holding the category.
    mapping : dict
        Partner value (compared case- and space-insensitively) -> our code, or ``None``
        for values the partner uses to mean "not recorded".
    separator : str or None
        For multi-valued fields, the separator between several partner values.
    """

    target: str
    source_column: str
    mapping: dict[str, str | None]
    separator: str | None = None

    def normalised(self) -> dict[str, str | None]:
        """Return the mapping keyed by normalised partner values."""
        return {_norm(k): v for k, v in self.mapping.items()}


@dataclass(frozen=True)
class Unmapped:
    """A partner value that no crosswalk entry covers.

    Parameters
    ----------
    row : int
        Position of the record in the partner file (0-based).
    field : str
        The partner's column.
    value : str
        The value that was not mapped.
    """

    row: int
    field: str
    value: str


@dataclass(frozen=True)
class Crosswalk:
    """A partner's categories mapped onto ours.

    Parameters
    ----------
    name : str
        Crosswalk (partner) name.
    columns : dict
        Our field -> the partner's column for non-categorical fields (dates, places...).
    fields : tuple of FieldMapping
        Categorical mappings.
    defaults : dict
        Constant values for our fields the partner does not send (e.g. grading).
    unknown_values : tuple of str
        Partner values meaning "not known" in any column (compared case- and
        space-insensitively), e.g. CTDC's ``"0"``.
    path : str
        Where the crosswalk was read from (workspace or package).
    """

    name: str
    columns: dict[str, str]
    fields: tuple[FieldMapping, ...]
    defaults: dict[str, Any] = field(default_factory=dict)
    unknown_values: tuple[str, ...] = ()
    path: str = ""

    def is_unknown(self, value: Any) -> bool:
        """Tell whether a partner cell means "not known" (empty, or one of ``unknown_values``).

        Parameters
        ----------
        value : Any
            The cell.

        Returns
        -------
        bool
            True for an empty cell or a declared unknown value.
        """
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return True
        key = _norm(value)
        return key == "" or key in {_norm(v) for v in self.unknown_values}

    def validate_targets(self, taxonomy: Taxonomy | None = None) -> None:
        """Check that every mapped code exists in our taxonomy.

        Parameters
        ----------
        taxonomy : Taxonomy, optional
            Defaults to the packaged taxonomy.

        Raises
        ------
        ValueError
            Naming the crosswalk, field and code that is not ours.
        """
        taxonomy = taxonomy or load_taxonomy()
        for fm in self.fields:
            vocabulary = VOCABULARY_OF_COLUMN.get(fm.target)
            if vocabulary is None:
                raise ValueError(f"crosswalk {self.name!r}: {fm.target!r} is not a categorical field")
            for source_value, code in fm.mapping.items():
                if code is not None and not taxonomy.is_valid(vocabulary, code):
                    raise ValueError(
                        f"crosswalk {self.name!r}, field {fm.target!r}: partner value "
                        f"{source_value!r} maps to {code!r}, which is not in vocabulary {vocabulary!r}"
                    )

    def apply(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Unmapped]]:
        """Map the partner's categorical columns onto our codes.

        Parameters
        ----------
        frame : pandas.DataFrame
            The partner's records, one per row, as read.

        Returns
        -------
        mapped : pandas.DataFrame
            One column per mapped target field (lists for multi-valued fields), aligned
            with ``frame``'s index.
        unmapped : list of Unmapped
            Every value no mapping covers, with its record position and column.

        Raises
        ------
        ValueError
            When a column the crosswalk needs is missing from the file.
        """
        missing = [fm.source_column for fm in self.fields if fm.source_column not in frame.columns]
        if missing:
            raise ValueError(
                f"crosswalk {self.name!r}: partner file lacks column(s) {missing}; "
                f"it has {list(frame.columns)}"
            )
        out = pd.DataFrame(index=frame.index)
        unmapped: list[Unmapped] = []
        for fm in self.fields:
            table = fm.normalised()
            for unknown in self.unknown_values:
                table.setdefault(_norm(unknown), None)
            values = []
            for pos, raw in enumerate(frame[fm.source_column].tolist()):
                parts = _split(raw, fm.separator)
                codes: list[str] = []
                for part in parts:
                    key = _norm(part)
                    if key in table:
                        if table[key] is not None:
                            codes.append(table[key])
                    else:
                        unmapped.append(Unmapped(row=pos, field=fm.source_column, value=part))
                if fm.target in MULTI_VALUED:
                    values.append(sorted(set(codes)))
                else:
                    values.append(codes[0] if codes else None)
            out[fm.target] = values
        return out, unmapped


def _norm(value: Any) -> str:
    return " ".join(str(value).strip().lower().split())


def _split(raw: Any, separator: str | None) -> list[str]:
    if raw is None or (isinstance(raw, float) and pd.isna(raw)) or str(raw).strip() == "":
        return []
    if separator is None:
        return [str(raw).strip()]
    return [p.strip() for p in str(raw).split(separator) if p.strip()]


def _workspace_crosswalks() -> Any:
    """The workspace's ``crosswalks/`` folder (it may not exist)."""
    return workspace() / "crosswalks"


def available_crosswalks() -> list[str]:
    """List the crosswalk names: the workspace's, then the packaged ones.

    Returns
    -------
    list of str
        Names usable with :func:`load_crosswalk`.
    """
    folder = resources.files("workbench").joinpath("resources/crosswalks")
    names = {p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")}
    local = _workspace_crosswalks()
    if local.is_dir():
        names |= {p.stem for p in local.glob("*.yaml")}
    return sorted(names)


def crosswalk_path(name: str) -> Any:
    """Return the file of a crosswalk: ``<workspace>/crosswalks/<name>.yaml`` first, then the package's.

    Parameters
    ----------
    name : str
        Crosswalk name (the YAML file's stem).

    Returns
    -------
    pathlib.Path or importlib.resources.abc.Traversable
        The file.

    Raises
    ------
    FileNotFoundError
        When neither the workspace nor the package has it.
    ValueError
        When the name is not a plain file stem.
    """
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"crosswalk name {name!r} is not a plain name")
    local = _workspace_crosswalks() / f"{name}.yaml"
    if local.is_file():
        return local
    path = resources.files("workbench").joinpath(f"resources/crosswalks/{name}.yaml")
    if not path.is_file():
        raise FileNotFoundError(f"no crosswalk {name!r} in {_workspace_crosswalks()} or the package; "
                                f"available: {available_crosswalks()}")
    return path


def load_crosswalk(name: str) -> Crosswalk:
    """Load and check a crosswalk (the workspace's first, then the packaged one).

    Parameters
    ----------
    name : str
        Crosswalk name (the YAML file's stem).

    Returns
    -------
    Crosswalk
        The crosswalk, its targets checked against the taxonomy.

    Raises
    ------
    FileNotFoundError
        When there is no such crosswalk.
    ValueError
        When the file is not a crosswalk or maps onto codes that are not ours.
    """
    path = crosswalk_path(name)
    text = path.read_text("utf-8")
    return _parse_crosswalk(name, str(path), text)


@lru_cache(maxsize=64)
def _parse_crosswalk(name: str, path: str, text: str) -> Crosswalk:
    raw = yaml.safe_load(text) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"crosswalk {name!r} ({path}): not a mapping of columns/fields/defaults")
    fields = tuple(
        FieldMapping(
            target=target,
            source_column=spec["source_column"],
            mapping={str(k): v for k, v in (spec.get("map") or {}).items()},
            separator=spec.get("separator"),
        )
        for target, spec in (raw.get("fields") or {}).items()
    )
    walk = Crosswalk(
        name=name,
        columns=dict(raw.get("columns") or {}),
        fields=fields,
        defaults=dict(raw.get("defaults") or {}),
        unknown_values=tuple(str(v) for v in (raw.get("unknown") or ())),
        path=path,
    )
    walk.validate_targets()
    return walk


def unmapped_report(unmapped: Iterable[Unmapped]) -> pd.DataFrame:
    """Summarise unmapped partner values for the analyst who keeps the crosswalk.

    Parameters
    ----------
    unmapped : iterable of Unmapped
        As returned by :meth:`Crosswalk.apply`.

    Returns
    -------
    pandas.DataFrame
        Columns ``field, value, records`` (count), most frequent first.
    """
    rows = [(u.field, u.value) for u in unmapped]
    if not rows:
        return pd.DataFrame(columns=["field", "value", "records"])
    frame = pd.DataFrame(rows, columns=["field", "value"])
    return (
        frame.value_counts().rename("records").reset_index().sort_values("records", ascending=False)
        .reset_index(drop=True)
    )
