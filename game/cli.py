"""The `persona` command: parses arguments and hands each subcommand to its module."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from engine import __version__
from game.commands import avatar, bench, play, render, speak, validate

EPILOG = """examples:
  persona validate scenes/                      check every scene and prefab in a folder
  persona render scenes/demo.toml -o out/demo.mp4   a 9:16 short video with captions and label
  persona play scenes/demo.toml --headless --frames 300
  persona play scenes/demo.toml                 run in real time; edits to the scene reload live
  persona play scenes/airport-guide.toml --headless --frames 300 \\
      --event viewer_arrived@1 --event menu_choice=flights@4 --event viewer_left@8
  persona speak "您好，欢迎光临" --lang zh -o hello.wav --visemes hello.json
  persona avatar make --style guide --seed 3 -o guide.glb
  persona avatar inspect guide.glb
  persona bench --json                          speed rows with their baselines

Scenes are TOML files: see README.md for the format."""


def build_parser() -> argparse.ArgumentParser:
    """The full ``persona`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="persona",
        description="Persona: digital humans in virtual scenes. Write scenes in TOML and Python, "
                    "step them headless, render short videos, make and inspect avatars.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"persona {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (validate, play, render, speak, avatar, bench):
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``persona`` console script."""
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `persona bench --json | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
