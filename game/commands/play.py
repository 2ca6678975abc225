"""`persona play SCENE`: run a scene headless or in real time."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from game.commands.common import fail


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``play`` parser."""
    parser = sub.add_parser("play", help="run a scene: headless for N frames, or in real time",
                            description="Run a scene. --headless --frames N steps it as fast as possible "
                                        "and prints the per-system timing table. Without --headless it opens "
                                        "a window and plays in real time (arrows or drag orbit the camera, wheel "
                                        "zooms, space pauses, F12 saves a screenshot, Escape closes); with no "
                                        "display it runs in this terminal, printing actions as they fire. The "
                                        "scene, its prefabs and its scripts are watched: an edit reloads the "
                                        "scene, and an edit that fails validation keeps the running scene and "
                                        "prints the errors.")
    parser.add_argument("scene", type=Path, metavar="SCENE")
    parser.add_argument("--headless", action="store_true", help="no window, no real-time pacing")
    parser.add_argument("--frames", type=int, default=None, help="stop after N frames (headless default 300)")
    parser.add_argument("--fps", type=float, default=30.0, help="frames per second (default 30)")
    parser.add_argument("--tick-hz", type=float, default=30.0, choices=(30.0, 60.0),
                        help="simulation ticks per second, 30 or 60 (default 30)")
    parser.add_argument("--event", action="append", default=[], metavar="NAME[=VALUE]@S",
                        help="simulate a trigger at S seconds: viewer_arrived@2, menu_choice=flights@4, "
                             "key=e@6, viewer_left@9 (repeatable)")
    parser.add_argument("--window-size", default="540x960", metavar="WxH",
                        help="window size (default 540x960)")
    parser.add_argument("--no-window", action="store_true",
                        help="real time in the terminal only, no window")
    parser.add_argument("--no-watch", action="store_true", help="do not reload on file changes")
    parser.add_argument("--json", action="store_true",
                        help='print {"frames": N, "systems": {name: median_ms}, "actions": [...], ...}')
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run a scene and report timings."""
    from rich.console import Console

    from engine.render.window import NoDisplayError
    from engine.scene.diagnostics import SceneError
    from game.play import dump_json, parse_event, play, print_report

    if not args.scene.is_file():
        return fail(f"scene file not found: {args.scene}")
    frames = args.frames if args.frames is not None else (300 if args.headless else None)
    if frames is not None and frames < 1:
        return fail("--frames must be at least 1")
    if args.fps <= 0 or args.fps > 240:
        return fail("--fps must be between 0 and 240")
    try:
        events = [parse_event(spec) for spec in args.event]
    except ValueError as error:
        return fail(str(error))
    match = re.fullmatch(r"(\d{2,4})x(\d{2,4})", args.window_size)
    if match is None:
        return fail(f"--window-size {args.window_size!r}: write WIDTHxHEIGHT, e.g. 540x960")
    console = None if args.json else Console()
    window_size = None if args.headless or args.no_window else (int(match[1]), int(match[2]))
    try:
        try:
            report = play(args.scene, frames=frames, realtime=not args.headless, fps=args.fps,
                          tick_hz=args.tick_hz, watch=not args.no_watch, console=console, events=events,
                          window_size=window_size)
        except NoDisplayError as error:
            if console is not None:
                console.print(f"[yellow]{error}[/]\nplaying in this terminal instead (Ctrl-C to stop)")
            report = play(args.scene, frames=frames, realtime=True, fps=args.fps, tick_hz=args.tick_hz,
                          watch=not args.no_watch, console=console, events=events)
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
