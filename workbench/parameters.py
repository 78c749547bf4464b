"""Report parameters checked against the notebook before anything runs.

Papermill writes injected parameters into the notebook as Python source, so a parameter
*name* that is not a plain identifier the notebook declares is code, and a value of the
wrong kind silently changes what a report shows (``audiance=public`` publishing a
partner report as public, ``region=ZZZ`` publishing an empty report as "ok"). Every way
of running a report (:func:`workbench.runner.run_notebook`, run plans, ``workbench
run``) goes through :func:`validate_parameters` first:

- the notebook's ``parameters`` cell is parsed with :mod:`ast`; it may hold only
  assignments of literals to plain names (anything else is a broken notebook);
- a given name must be one the cell declares (an unknown name gets a did-you-mean);
- a value is coerced to the type of the declared default (``"15"`` -> ``15`` for an int;
  booleans, lists, mappings and ``None`` are refused where a string or number is
  declared; non-finite floats are refused);
- enumerations are checked: ``audience`` against the disclosure policies, ``region``
  against ISO 3166-1 alpha-3 codes (plus ``UNK`` unknown and ``XKX`` Kosovo; several
  joined by commas, or ``ALL``), ``exploitation_type`` against the taxonomy, and a few
  notebook settings (``unit``, ``compare``) against their choices;
- ``sources`` (``ALL`` or catalog entry names joined by commas) must name source
  entries (entries with a ``collector``) of the workspace's catalogs, with a
  did-you-mean for a misspelt one;
- dates are ISO ``YYYY-MM-DD`` (``end_month`` may be ``YYYY-MM``) between 1900 and 2100,
  and a period is never reversed (``period_start <= period_end``,
  ``previous_as_of < as_of``);
- for the public and partner audiences, given values are snapped to the published grid
  (:func:`workbench.share.disclosure.snap_parameters`: whole months or quarters, a region
  of ``ALL`` or one country), so no two allowed runs differ by a small group.

Any failure raises :class:`ParameterError` with one line naming the notebook, the
parameter and the value.
"""

from __future__ import annotations

import ast
import datetime as dt
import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from workbench import catalog
from workbench.exceptions import ParameterError
from workbench.places.gazetteer import countries
from workbench.share.disclosure import POLICIES, snap_parameters
from workbench.taxonomy import load_taxonomy


#: Parameters holding one ISO date (``""`` allowed where the notebook's default is ``""``).
DATE_PARAMETERS = ("period_start", "period_end", "as_of", "previous_as_of", "since")
#: Parameters holding a month (``YYYY-MM`` or a date within it).
MONTH_PARAMETERS = ("end_month",)
#: (earlier, later) pairs that must not be reversed; ``strict`` when they may not be equal.
PERIOD_PAIRS = (("period_start", "period_end", False), ("previous_as_of", "as_of", True))
#: Other closed choices, by parameter name.
CHOICES: dict[str, tuple[str, ...]] = {
    "unit": ("h3", "city"),
    "compare": ("previous", "previous_year"),
}
#: Inclusive numeric ranges, by parameter name.
RANGES: dict[str, tuple[float, float]] = {
    "h3_resolution": (0, 15),
    "alpha": (1e-6, 0.5),
    "top": (1, 1000),
    "max_series": (1, 1000),
    "horizon": (1, 60),
    "window_months": (1, 120),
    "trend_months": (2, 240),
    "emerging_steps": (2, 520),
    "recency_months": (1, 240),
    "evidence_sites": (0, 1000),
    "window_days": (1, 3660),
    "alert_budget": (1, 100000),
    "high_risk_top": (0, 250),
    "hierarchy_rows": (0, 1000),
}
#: Longest accepted string value (parameters are short codes, dates and names).
MAX_TEXT = 200
#: Earliest and latest year a date parameter may name.
YEARS = (1900, 2100)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class Declared:
    """One parameter a notebook declares.

    Attributes
    ----------
    name : str
        The variable name.
    default : Any
        The literal default in the parameters cell.
    line : int
        Line of the assignment within the cell.
    """

    name: str
    default: Any
    line: int


def _suggest(word: str, choices: list[str] | tuple[str, ...], n: int = 1) -> str:
    """``"; did you mean 'x'?"`` when a close match exists, else ``""``."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=n, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(str(word).lower(), [str(c).lower() for c in choices], n=n, cutoff=0.6)
        if close:
            lowered = {str(c).lower(): str(c) for c in choices}
            close = [lowered[c] for c in close]
    return f"; did you mean {close[0]!r}?" if close else ""


def _show(value: Any) -> str:
    """A value for an error line: repr, one line, at most 60 characters."""
    text = repr(value).replace("\n", "\\n")
    return text if len(text) <= 60 else text[:57] + "..."


def _notebooks_dir() -> Path:
    return catalog.workspace_folder("notebooks")


def available_notebooks() -> list[str]:
    """List the runnable report notebooks.

    Returns
    -------
    list of str
        Stems of ``notebooks/*.py`` in the workspace (or the repository).
    """
    return sorted(p.stem for p in _notebooks_dir().glob("*.py") if not p.name.startswith("."))


def resolve_notebook(name: Any) -> str:
    """Check a notebook name before anything runs.

    Parameters
    ----------
    name : Any
        What the user typed.

    Returns
    -------
    str
        The notebook stem.

    Raises
    ------
    ParameterError
        One line with the closest name, e.g. ``no notebook 'hotspt_map'; did you mean
        'hotspot_map'?``.
    """
    known = available_notebooks()
    if isinstance(name, str) and name in known:
        return name
    hint = _suggest(name, known) if isinstance(name, str) else ""
    listing = "" if hint else f"; have {', '.join(known)}"
    raise ParameterError(f"no notebook {_show(name)}{hint or listing}")


@lru_cache(maxsize=64)
def _declared_cached(path: str, mtime_ns: int, size: int) -> tuple[Declared, ...]:
    text = Path(path).read_text(encoding="utf-8")
    return tuple(parse_parameters_cell(_parameters_cell(text, Path(path).stem), Path(path).stem).values())


def _parameters_cell(text: str, name: str) -> str:
    """The source of the cell tagged ``parameters`` in a jupytext percent script."""
    lines = text.splitlines()
    start = None
    for i, line in enumerate(lines):
        if line.startswith("# %%") and re.search(r"""tags\s*=\s*\[[^\]]*["']parameters["']""", line):
            start = i + 1
            break
    if start is None:
        raise ParameterError(f"notebook {name!r} has no cell tagged 'parameters'")
    body = []
    for line in lines[start:]:
        if line.startswith("# %%"):
            break
        body.append(line)
    return "\n".join(body)


def parse_parameters_cell(source: str, notebook: str = "notebook") -> dict[str, Declared]:
    """Read the declared parameters from a ``parameters`` cell's source.

    Parameters
    ----------
    source : str
        The cell's Python source.
    notebook : str
        Notebook name, for messages.

    Returns
    -------
    dict of str to Declared
        In the cell's order.

    Raises
    ------
    ParameterError
        When the cell holds anything but assignments of literals to plain names.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"notebook {notebook!r}: parameters cell does not parse (line {exc.lineno})") from None
    declared: dict[str, Declared] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            target, value = stmt.targets[0].id, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            target, value = stmt.target.id, stmt.value
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
            continue  # a docstring-like note
        else:
            raise ParameterError(f"notebook {notebook!r}: parameters cell line {stmt.lineno} is not an "
                                 "assignment of a literal to a name")
        try:
            default = ast.literal_eval(value)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise ParameterError(f"notebook {notebook!r}: parameter {target!r} (line {stmt.lineno}) "
                                 "in the parameters cell is not a literal") from None
        declared[target] = Declared(target, default, stmt.lineno)
    return declared


def declared_parameters(notebook: str) -> dict[str, Declared]:
    """Return the parameters a report notebook declares.

    Parameters
    ----------
    notebook : str
        Notebook stem (checked with :func:`resolve_notebook`).

    Returns
    -------
    dict of str to Declared
        Name -> declaration, in the cell's order.
    """
    name = resolve_notebook(notebook)
    path = _notebooks_dir() / f"{name}.py"
    stat = path.stat()
    return {d.name: d for d in _declared_cached(str(path), stat.st_mtime_ns, stat.st_size)}


# -- values -----------------------------------------------------------------------------------


def _coerce(notebook: str, name: str, value: Any, default: Any) -> Any:
    """Coerce ``value`` to the type of ``default``; raise ParameterError when it cannot be."""
    where = f"{notebook}: parameter {name!r}"
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no", "1", "0"):
            return value.strip().lower() in ("true", "yes", "1")
        raise ParameterError(f"{where} must be true or false, got {_show(value)}")
    if isinstance(default, int):
        if isinstance(value, bool):
            raise ParameterError(f"{where} must be a whole number, got {_show(value)}")
        if isinstance(value, int):
            out = value
        elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
            out = int(value)
        elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,12}\s*", value):
            out = int(value)
        else:
            raise ParameterError(f"{where} must be a whole number, got {_show(value)}")
        return out
    if isinstance(default, float):
        if isinstance(value, bool):
            raise ParameterError(f"{where} must be a number, got {_show(value)}")
        if isinstance(value, (int, float)):
            out = float(value)
        elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?(\d{1,15}(\.\d{0,15})?|\.\d{1,15})([eE][+-]?\d{1,3})?\s*",
                                                    value):
            out = float(value)
        else:
            raise ParameterError(f"{where} must be a number, got {_show(value)}")
        if not math.isfinite(out):
            raise ParameterError(f"{where} must be a finite number, got {_show(value)}")
        return out
    if isinstance(default, str) or default is None:
        if isinstance(value, bool) or value is None or not isinstance(value, (str, int, float)):
            raise ParameterError(f"{where} must be text, got {_show(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ParameterError(f"{where} must be text, got {_show(value)}")
        text = str(value)
        if len(text) > MAX_TEXT:
            raise ParameterError(f"{where} is longer than {MAX_TEXT} characters")
        if any(ord(ch) < 32 or ord(ch) == 127 or 0x2028 <= ord(ch) <= 0x2029 for ch in text):
            raise ParameterError(f"{where} contains a control character: {_show(value)}")
        return text
    # a declared list/dict/tuple default: accept only the same container of scalars
    if isinstance(default, (list, tuple)) and isinstance(value, (list, tuple)) and all(
            isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return type(default)(value)
    raise ParameterError(f"{where} must be like {_show(default)}, got {_show(value)}")


@lru_cache(maxsize=1)
def known_region_codes() -> frozenset[str]:
    """Return the region codes a report accepts.

    Returns
    -------
    frozenset of str
        ISO 3166-1 alpha-3 codes (pycountry), plus ``UNK`` (unknown) and ``XKX`` (Kosovo).
    """
    try:
        import pycountry

        codes = {c.alpha_3 for c in pycountry.countries}
    except ImportError:  # pragma: no cover - pycountry is a dependency
        codes = set(countries()["iso3"])
    return frozenset(codes | {"UNK", "XKX"})


def _region(notebook: str, value: str) -> str:
    text = value.strip()
    if text.upper() in ("", "ALL"):
        return "ALL"
    codes = [c.strip().upper() for c in text.split(",")]
    if any(not c for c in codes):
        raise ParameterError(f"{notebook}: parameter 'region' has an empty code in {_show(value)}")
    known = known_region_codes()
    for code in codes:
        if code not in known:
            raise ParameterError(f"{notebook}: parameter 'region': unknown country code {_show(code)}"
                                 f"{_suggest(code, sorted(known)) or ' (use ISO3 codes such as ESP, or ALL)'}")
    return ",".join(dict.fromkeys(codes))


def _exploitation_type(notebook: str, value: str) -> str:
    text = value.strip()
    if text.upper() in ("", "ALL"):
        return "ALL"
    codes = load_taxonomy().codes("exploitation_types")
    if text in codes:
        return text
    if text.lower() in codes:
        return text.lower()
    raise ParameterError(f"{notebook}: parameter 'exploitation_type': {_show(value)} is not in the taxonomy"
                         f"{_suggest(text, codes)}")


def source_entry_names() -> list[str]:
    """Return the names a report's ``sources`` parameter accepts.

    Returns
    -------
    list of str
        The workspace's catalog source entries (entries whose metadata names a
        ``collector``), sorted.

    Raises
    ------
    ParameterError
        When the workspace's catalogs cannot be read (one line naming why).
    """
    try:
        return sorted(e.name for e in catalog.sources())
    except FileNotFoundError:
        return []  # a workspace without catalogs has no sources
    except Exception as exc:  # noqa: BLE001 - a broken catalog: one line, never a traceback
        reason = " ".join(str(exc).split())[:200]
        raise ParameterError(f"parameter 'sources' cannot be checked: the catalogs cannot be read "
                             f"({type(exc).__name__}: {reason})") from None


def _sources(notebook: str, value: str) -> str:
    text = value.strip()
    if text.upper() in ("", "ALL"):
        return "ALL"
    names = [n.strip() for n in text.split(",")]
    if any(not n for n in names):
        raise ParameterError(f"{notebook}: parameter 'sources' has an empty entry name in {_show(value)}")
    known = source_entry_names()
    for name in names:
        if name in known:
            continue
        if not known:
            raise ParameterError(f"{notebook}: parameter 'sources': {_show(name)} is not a catalog source entry; "
                                 "this workspace's catalogs list no sources (entries with a collector)")
        try:
            others = [e.name for e in catalog.entries()]
        except Exception:  # noqa: BLE001 - the sources were listed, so this does not fail in practice
            others = []
        what = ("is a catalog entry but not a source (no collector)" if name in others
                else "is not a catalog source entry")
        listing = "; sources: " + ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
        raise ParameterError(f"{notebook}: parameter 'sources': {_show(name)} {what}"
                             f"{_suggest(name, known) or listing}")
    return ",".join(dict.fromkeys(names))


def _audience(notebook: str, value: str) -> str:
    if value in POLICIES:
        return value
    raise ParameterError(f"{notebook}: parameter 'audience': unknown audience {_show(value)}"
                         f"{_suggest(value, sorted(POLICIES)) or '; choose one of ' + ', '.join(sorted(POLICIES))}")


def _date(notebook: str, name: str, value: str, default: Any, month: bool = False) -> str:
    text = value.strip()
    if text == "":
        if default == "":
            return ""
        raise ParameterError(f"{notebook}: parameter {name!r} needs a date (YYYY-MM-DD)")
    pattern = r"\d{4}-\d{2}(-\d{2})?" if month else r"\d{4}-\d{2}-\d{2}"
    if not re.fullmatch(pattern, text):
        raise ParameterError(f"{notebook}: parameter {name!r} must be an ISO date "
                             f"({'YYYY-MM or ' if month else ''}YYYY-MM-DD), got {_show(value)}")
    try:
        day = dt.date.fromisoformat(text if len(text) == 10 else text + "-01")
    except ValueError:
        raise ParameterError(f"{notebook}: parameter {name!r}: {_show(value)} is not a calendar date") from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise ParameterError(f"{notebook}: parameter {name!r}: {_show(value)} is outside {YEARS[0]}-{YEARS[1]}")
    return text


def _check_value(notebook: str, name: str, value: Any, default: Any) -> Any:
    """Coerce and check one value."""
    out = _coerce(notebook, name, value, default)
    if name == "audience":
        return _audience(notebook, out)
    if name == "region":
        return _region(notebook, out)
    if name == "exploitation_type":
        return _exploitation_type(notebook, out)
    if name == "sources":
        return _sources(notebook, out)
    if name in DATE_PARAMETERS:
        return _date(notebook, name, out, default)
    if name in MONTH_PARAMETERS:
        return _date(notebook, name, out, default, month=True)
    if name in CHOICES and isinstance(out, str) and out not in CHOICES[name]:
        raise ParameterError(f"{notebook}: parameter {name!r}: {_show(out)} is not one of "
                             f"{', '.join(CHOICES[name])}{_suggest(out, CHOICES[name])}")
    if name in RANGES and isinstance(out, (int, float)) and not isinstance(out, bool):
        low, high = RANGES[name]
        if not low <= out <= high:
            raise ParameterError(f"{notebook}: parameter {name!r} must be between {low:g} and {high:g}, "
                                 f"got {_show(value)}")
    return out


def validate_parameters(notebook: str, parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check parameter names and values against a notebook's ``parameters`` cell.

    Parameters
    ----------
    notebook : str
        Notebook stem.
    parameters : mapping
        Name -> value as given (CLI strings, YAML values...).

    Returns
    -------
    dict
        The parameters with values coerced to the declared types and enumerations in
        canonical form (e.g. ``region`` upper-cased), in the notebook's order.

    Raises
    ------
    ParameterError
        One line naming the notebook, the parameter and the problem (with a did-you-mean
        for an unknown name or value).
    """
    name = resolve_notebook(notebook)
    if parameters is None:
        return {}
    if not isinstance(parameters, Mapping):
        raise ParameterError(f"{name}: parameters must be a mapping of name to value, got {_show(parameters)}")
    declared = declared_parameters(name)
    for key in parameters:
        if not isinstance(key, str) or not _IDENTIFIER.match(key) or key not in declared:
            hint = _suggest(key, list(declared)) if isinstance(key, str) else ""
            raise ParameterError(f"{name}: unknown parameter {_show(key)}"
                                 + (hint or f"; it declares {', '.join(declared)}"))
    checked = {key: _check_value(name, key, parameters[key], declared[key].default)
               for key in declared if key in parameters}
    merged = {key: checked.get(key, declared[key].default) for key in declared}
    audience = merged.get("audience")
    if isinstance(audience, str):  # public and partner runs: parameters on the published grid
        if audience in POLICIES:
            try:
                snapped, _ = snap_parameters({**merged}, POLICIES[audience])
            except ValueError as exc:
                raise ParameterError(f"{name}: {exc}") from None
            moved = {k: v for k, v in snapped.items() if k in checked and v != checked[k]}
            checked.update(moved)
            merged.update({k: snapped[k] for k in moved})
    for early, late, strict in PERIOD_PAIRS:
        a, b = merged.get(early), merged.get(late)
        if isinstance(a, str) and isinstance(b, str) and a and b and (early in checked or late in checked):
            if (a >= b) if strict else (a > b):
                raise ParameterError(f"{name}: the period is reversed: {early} {a} is "
                                     f"{'not before' if strict else 'after'} {late} {b}")
    return checked


def publish_key(notebook: str, parameters: Mapping[str, Any]) -> str:
    """Return the stable file key of a published report.

    The key holds the notebook, every parameter's *name and value* (``region_ESP``) and
    the audience last (``hotspot_map-region_ESP-partner``), so two different parameter
    sets never share a key. When characters had to be replaced for a file name, or the
    key is long, a short hash of the exact parameters is appended so it stays unique.

    Parameters
    ----------
    notebook : str
        Notebook stem.
    parameters : mapping
        The run's parameters (``audience`` included when given).

    Returns
    -------
    str
        A file-name-safe key of at most 150 characters.
    """
    import hashlib
    import json

    params = dict(parameters)
    audience = params.pop("audience", None)
    raw_parts = [notebook] + [f"{k}_{v}" for k, v in sorted(params.items(), key=lambda kv: str(kv[0]))]
    if audience is not None:
        raw_parts.append(str(audience))
    raw = "-".join(raw_parts)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", raw)
    if safe != raw or len(safe) > 150:
        digest = hashlib.sha256(json.dumps({"n": notebook, "p": parameters}, sort_keys=True, default=str)
                                .encode("utf-8")).hexdigest()[:10]
        safe = safe[:139] + "-" + digest
    return safe
