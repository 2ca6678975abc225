"""`persona validate PATH...`: check scenes and prefabs, errors as file:line:col."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from game.commands.common import print_json


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``validate`` parser."""
    parser = sub.add_parser("validate", help="check scene and prefab files; errors as file:line:col",
                            description="Check scene files (and the prefabs and scripts they use). "
                                        "Prints every problem as file:line:col: message; exit 1 on any error. "
                                        "Folders are searched for *.toml; files under prefabs/ are checked "
                                        "as prefabs. No code is run.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="scene files or folders")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(run=run)


def _scene_files(paths: list[str]) -> tuple[list[tuple[Path, str]], list[str]]:
    files: list[tuple[Path, str]] = []
    missing: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in sorted(path.rglob("*.toml")):
                files.append((found, "prefab" if "prefabs" in found.parts else "scene"))
        elif path.is_file():
            files.append((path, "prefab" if path.parent.name == "prefabs" else "scene"))
        else:
            missing.append(raw)
    return files, missing


def run(args: argparse.Namespace) -> int:
    """Check files; print diagnostics; 1 if any error."""
    from engine.scene.loader import check_prefab, check_scene

    files, missing = _scene_files(args.paths)
    results = []
    errors = 0
    for path, kind in files:
        diagnostics = check_prefab(path) if kind == "prefab" else check_scene(path)
        errors += sum(1 for d in diagnostics if d.severity == "error")
        results.append({"path": str(path), "kind": kind, "ok": not diagnostics,
                        "diagnostics": [d.to_json() for d in diagnostics]})
        if not args.json:
            for diagnostic in diagnostics:
                print(diagnostic.format())
    for raw in missing:
        errors += 1
        results.append({"path": raw, "kind": "missing", "ok": False,
                        "diagnostics": [{"file": raw, "line": 0, "col": 0, "severity": "error",
                                         "message": "no such file or folder", "hint": ""}]})
    if args.json:
        print_json({"files": results, "errors": errors})
    else:
        for raw in missing:
            print(f"{raw}: error: no such file or folder")
        bad = sum(1 for r in results if not r["ok"])
        summary = f"{len(results)} file(s) checked, {bad} with errors ({errors} error(s))"
        print(summary if errors else f"{len(results)} file(s) checked: all valid", file=sys.stderr)
        if not results:
            print("persona: no .toml files found", file=sys.stderr)
            return 1
    return 1 if errors else 0
