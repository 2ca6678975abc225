"""`persona render SCENE -o OUT.mp4`: a finished vertical short video from a scene file."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from game.commands.common import fail, print_json


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{2,5})x(\d{2,5})", text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r}: write WIDTHxHEIGHT, e.g. 1080x1920")
    width, height = int(match[1]), int(match[2])
    if width % 2 or height % 2:
        raise argparse.ArgumentTypeError(f"{text!r}: H.264 needs even width and height")
    if not (64 <= width <= 4096 and 64 <= height <= 4096):
        raise argparse.ArgumentTypeError(f"{text!r}: each side must be 64 to 4096 pixels")
    return width, height


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``render`` parser."""
    parser = sub.add_parser(
        "render", help="render a scene to a short video (MP4 with captions, label, cover)",
        description="Render a scene to an MP4 (H.264 + AAC, +faststart) with burned-in captions and an "
                    "\"AI生成 / AI-generated\" label, plus OUT.srt captions and an OUT.jpg cover. The file "
                    "appears only when complete: an interrupted render leaves nothing behind.")
    parser.add_argument("scene", type=Path, metavar="SCENE")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.mp4")
    parser.add_argument("--size", type=_size, default=(1080, 1920), metavar="WxH",
                        help="frame size (default 1080x1920, 9:16; 1920x1080 for 16:9)")
    parser.add_argument("--fps", type=float, default=30.0, help="frames per second (default 30)")
    parser.add_argument("--duration", type=float, default=None,
                        help="seconds (default: the scene's duration, else 10)")
    parser.add_argument("--seed", type=int, default=None, help="override the scene's seed")
    parser.add_argument("--crf", type=int, default=20, help="H.264 quality, 0-51, lower is better (default 20)")
    parser.add_argument("--no-label", action="store_true",
                        help="omit the visible AI-generated label (platforms in China require it)")
    parser.add_argument("--alpha", type=Path, default=None, metavar="DIR",
                        help="also write an RGBA PNG sequence with a transparent background to DIR "
                             "(for compositing in other editors; no captions or label)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Render and report."""
    from engine.scene.diagnostics import SceneError
    from game.render import RenderOptions, RenderRefused, render_video

    if not args.scene.is_file():
        return fail(f"scene file not found: {args.scene}")
    if args.output.suffix.lower() != ".mp4":
        return fail(f"{args.output}: the output must end in .mp4")
    if not args.output.parent.is_dir():
        return fail(f"{args.output.parent}: no such folder")
    if not 1 <= args.fps <= 120:
        return fail("--fps must be between 1 and 120")
    if args.duration is not None and not 0 < args.duration <= 3600:
        return fail("--duration must be between 0 and 3600 seconds")
    if not 0 <= args.crf <= 51:
        return fail("--crf must be between 0 and 51")
    width, height = args.size
    if args.alpha is not None and (args.alpha.is_file() or not args.alpha.parent.is_dir()):
        return fail(f"--alpha {args.alpha}: name a folder whose parent exists")
    options = RenderOptions(args.scene, args.output, width, height, args.fps, args.duration, args.seed,
                            args.crf, label=not args.no_label, alpha_dir=args.alpha)
    if args.no_label and not args.json:
        print("persona: warning: rendering without the AI-generated label", file=sys.stderr)
    try:
        if args.json:
            report = render_video(options)
        else:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            with Progress(TextColumn("rendering {task.description}"), BarColumn(), MofNCompleteColumn(),
                          TextColumn("{task.fields[fps]} fps"), TimeElapsedColumn(), TimeRemainingColumn(),
                          transient=True) as bar:
                task = bar.add_task(args.scene.name, total=None, fps="-")
                started = [0.0]

                def progress(done: int, total: int) -> None:
                    import time

                    if not started[0]:
                        started[0] = time.perf_counter()
                    elapsed = time.perf_counter() - started[0]
                    bar.update(task, completed=done, total=total,
                               fps=f"{done / elapsed:.1f}" if elapsed > 0 else "-")

                report = render_video(options, progress)
    except SceneError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        return 1
    except RenderRefused as error:
        return fail(f"refusing to render:\n{error}")
    except KeyboardInterrupt:
        print("persona: render interrupted; no output was written", file=sys.stderr)
        return 130
    if args.json:
        print_json(report.to_json())
    else:
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in report.stages.items())
        print(f"wrote {', '.join(report.files)}")
        print(f"{report.frames} frames, {report.duration:.1f} s of video in {report.wall_s:.1f} s "
              f"({report.realtime_factor:.2f}x realtime): {stages}")
        for line in report.credits:
            print(f"credit shown: {line}")
        for problem in report.problems:
            print(f"persona: warning: {problem}", file=sys.stderr)
    return 0
