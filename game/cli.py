"""The `persona` command: validate, play and bench scenes (more subcommands arrive with later parts)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from engine import __version__

EPILOG = """examples:
  persona validate scenes/                      check every scene and prefab in a folder
  persona play scenes/demo.toml --headless --frames 300
  persona play scenes/demo.toml                 run in real time; edits to the scene reload live
  persona play scenes/airport-guide.toml --headless --frames 300 \
      --event viewer_arrived@1 --event menu_choice=flights@4 --event viewer_left@8
  persona bench --json                          speed rows with their baselines

Scenes are TOML files: see README.md for the format."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="persona",
        description="Persona: digital humans in virtual scenes. Write scenes in TOML and Python, "
                    "step them headless, and (soon) render them to short videos.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"persona {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = sub.add_parser("validate", help="check scene and prefab files; errors as file:line:col",
                              description="Check scene files (and the prefabs and scripts they use). "
                                          "Prints every problem as file:line:col: message; exit 1 on any error. "
                                          "Folders are searched for *.toml; files under prefabs/ are checked "
                                          "as prefabs. No code is run.")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="scene files or folders")
    validate.add_argument("--json", action="store_true", help="print one JSON document")

    play = sub.add_parser("play", help="run a scene: headless for N frames, or in real time",
                          description="Run a scene. --headless --frames N steps it as fast as possible "
                                      "and prints the per-system timing table. Without --headless it runs "
                                      "in real time in this terminal, printing actions as they fire "
                                      "(the render window arrives with the renderer). The scene, its prefabs "
                                      "and its scripts are watched: an edit reloads the scene, and an edit that "
                                      "fails validation keeps the running scene and prints the errors.")
    play.add_argument("scene", type=Path, metavar="SCENE")
    play.add_argument("--headless", action="store_true", help="no window, no real-time pacing")
    play.add_argument("--frames", type=int, default=None, help="stop after N frames (headless default 300)")
    play.add_argument("--fps", type=float, default=30.0, help="frames per second (default 30)")
    play.add_argument("--tick-hz", type=float, default=30.0, choices=(30.0, 60.0),
                      help="simulation ticks per second, 30 or 60 (default 30)")
    play.add_argument("--event", action="append", default=[], metavar="NAME[=VALUE]@S",
                      help="simulate a trigger at S seconds: viewer_arrived@2, menu_choice=flights@4, "
                           "key=e@6, viewer_left@9 (repeatable)")
    play.add_argument("--no-watch", action="store_true", help="do not reload on file changes")
    play.add_argument("--json", action="store_true",
                      help='print {"frames": N, "systems": {name: median_ms}, "actions": [...], ...}')

    bench = sub.add_parser("bench", help="speed rows, each against a baseline measured in the same run",
                           description="Measure speed. Each row compares against a baseline measured in "
                                       "the same run and says whether its target is met. Name rows to run "
                                       "only those.")
    bench.add_argument("rows", nargs="*", metavar="ROW", help="rows to run (default: all)")
    bench.add_argument("--json", action="store_true", help="print one JSON document")
    bench.add_argument("--list", action="store_true", help="list the rows and exit")
    return parser


def _fail(message: str) -> int:
    print(f"persona: {message}", file=sys.stderr)
    return 1


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


def cmd_validate(args: argparse.Namespace) -> int:
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
        print(json.dumps({"files": results, "errors": errors}, ensure_ascii=False))
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


def cmd_play(args: argparse.Namespace) -> int:
    """Run a scene and report timings."""
    from rich.console import Console

    from engine.scene.diagnostics import SceneError
    from game.play import dump_json, parse_event, play, print_report

    if not args.scene.is_file():
        return _fail(f"scene file not found: {args.scene}")
    frames = args.frames if args.frames is not None else (300 if args.headless else None)
    if frames is not None and frames < 1:
        return _fail("--frames must be at least 1")
    if args.fps <= 0 or args.fps > 240:
        return _fail("--fps must be between 0 and 240")
    try:
        events = [parse_event(spec) for spec in args.event]
    except ValueError as error:
        return _fail(str(error))
    console = None if args.json else Console()
    if console is not None and not args.headless:
        console.print(f"playing {args.scene} in real time (Ctrl-C to stop); "
                      "no window yet: the renderer is not built, actions print here")
    try:
        report = play(args.scene, frames=frames, realtime=not args.headless, fps=args.fps,
                      tick_hz=args.tick_hz, watch=not args.no_watch, console=console,
                      events=events)
    except SceneError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        return 1
    if args.json:
        print(dump_json(report))
    else:
        assert console is not None
        print_report(report, console, show_actions=args.headless)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Run bench rows and print them."""
    from game.bench import ROWS, machine_info

    if args.list:
        for name, (description, _) in ROWS.items():
            print(f"{name:<16} {description}")
        return 0
    unknown = [r for r in args.rows if r not in ROWS]
    if unknown:
        return _fail(f"unknown bench row(s): {', '.join(unknown)}; rows are: {', '.join(ROWS)}")
    names = args.rows or list(ROWS)
    rows = []
    if args.json:
        rows = [ROWS[name][1]() for name in names]
        print(json.dumps({"machine": machine_info(), "rows": [r.to_json() for r in rows]}))
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console()
    with console.status("measuring...") as status:
        for name in names:
            status.update(f"measuring {name}: {ROWS[name][0]}")
            rows.append(ROWS[name][1]())
    table = Table(title="persona bench (medians; baselines measured in the same run)")
    for column in ("row", "value", "baseline", "ratio", "target", "met"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.name, f"{row.value:.2f} {row.unit}", f"{row.baseline}: {row.baseline_value:.2f}",
                      f"{row.ratio:.2f}x", row.target, "[green]yes[/]" if row.met else "[red]no[/]")
    console.print(table)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``persona`` console script."""
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = _parser()
    args = parser.parse_args(argv)
    handlers = {"validate": cmd_validate, "play": cmd_play, "bench": cmd_bench}
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
