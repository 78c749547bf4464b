"""List the functions longer than a limit (default 80 lines, docstring included).

A long function is fine when one linear procedure reads better whole: its docstring then
says why in a paragraph starting ``Long on purpose:``, and it is listed as explained.

Usage: ``python tools/long_functions.py [--limit 80] [--all] [paths ...]`` (default path:
``workbench``). Prints one line per long function, then the counts. Not a test: a
developer's check when splitting code.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

MARKER = "Long on purpose:"


def long_functions(paths: list[Path], limit: int) -> list[tuple[str, int, str, int, bool]]:
    """Return ``(file, line, qualified name, lines, explained)`` of every function over ``limit`` lines.

    Parameters
    ----------
    paths : list of Path
        Files or folders (searched for ``*.py``).
    limit : int
        Longest allowed length, in lines from ``def`` to the last line.

    Returns
    -------
    list of tuple
        Longest first.
    """
    files = sorted({f for p in paths for f in ([p] if p.is_file() else p.rglob("*.py"))})
    found = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        stack: list[tuple[ast.AST, str]] = [(tree, "")]
        while stack:
            node, prefix = stack.pop()
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    name = f"{prefix}{child.name}"
                    if not isinstance(child, ast.ClassDef):
                        length = child.end_lineno - child.lineno + 1
                        if length > limit:
                            explained = MARKER in (ast.get_docstring(child) or "")
                            found.append((str(path), child.lineno, name, length, explained))
                    stack.append((child, name + "."))
    return sorted(found, key=lambda row: -row[3])


def main() -> int:
    """Print the long functions and their counts; exit 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[Path("workbench")])
    parser.add_argument("--limit", type=int, default=80)
    parser.add_argument("--all", action="store_true", help="also list the explained ones")
    args = parser.parse_args()
    rows = long_functions(args.paths, args.limit)
    for path, line, name, length, explained in rows:
        if args.all or not explained:
            print(f"{length:4d}  {path}:{line}  {name}{'  (explained)' if explained else ''}")
    n_explained = sum(r[4] for r in rows)
    print(f"{len(rows)} functions over {args.limit} lines: {len(rows) - n_explained} unexplained, "
          f"{n_explained} explained ('{MARKER}' in the docstring)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
