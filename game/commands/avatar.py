"""`persona avatar make|inspect`: make the built-in digital human, or inspect any glTF / VRM avatar."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from game.commands.common import fail, print_json


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``avatar make`` and ``avatar inspect``."""
    from engine.components import AVATAR_STYLES

    parser = sub.add_parser("avatar", help="make the built-in digital human, or inspect an avatar file",
                            description="Make a built-in digital human as a GLB with VRM 1.0 data, or "
                                        "inspect any glTF / GLB / VRM avatar.")
    parser.set_defaults(run=lambda args: (parser.print_help(), 2)[1])
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")

    make = verbs.add_parser("make", help="write a built-in digital human to a .glb",
                            description="Write a stylised full-body digital human (VRM 1.0 humanoid, "
                                        "52 ARKit blendshapes and visemes) as a GLB file. The same options "
                                        "give the same file.")
    make.add_argument("-o", "--output", type=Path, metavar="OUT.glb", help="where to write the avatar")
    make.add_argument("--style", choices=AVATAR_STYLES, default="presenter", help="overall look (default presenter)")
    make.add_argument("--seed", type=int, default=0, help="variation seed (default 0)")
    make.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                      help="override a parameter, e.g. --set hair_style=bob --set hair_color=#2b1a10 "
                           "(see --list-params)")
    make.add_argument("--list-params", action="store_true", help="list the parameters and their values")
    make.add_argument("--validate", action="store_true", help="run the Khronos glTF validator on the result")
    make.add_argument("--json", action="store_true", help="print one JSON document")
    make.set_defaults(run=run_make)

    inspect = verbs.add_parser("inspect", help="joints, morphs, animations, VRM meta and licence of a file",
                               description="Show what an avatar file holds: joints, morph targets, "
                                           "animations, VRM version, meta and licence, counts, warnings.")
    inspect.add_argument("file", type=Path, metavar="FILE")
    inspect.add_argument("--json", action="store_true", help="print one JSON document")
    inspect.set_defaults(run=run_inspect)


def run_make(args: argparse.Namespace) -> int:
    """Build and write the avatar."""
    from engine.assets.gltf_writer import write_glb
    from engine.assets.maker import AvatarParams, make_avatar, parameter_choices

    try:
        overrides = dict(item.split("=", 1) for item in args.set)
    except ValueError:
        return fail("--set takes FIELD=VALUE")
    for own in ("seed", "style"):
        if own in overrides:
            return fail(f"use --{own} instead of --set {own}=...")
    try:
        params = AvatarParams.from_style(args.style, args.seed, **overrides)
    except (TypeError, ValueError) as error:
        return fail(f"bad avatar parameter: {error}")
    if args.list_params:
        for name, (value, choices) in parameter_choices(params).items():
            print(f"{name:<16} {value!s:<24} {choices}")
        return 0
    if args.output is None:
        return fail("avatar make needs -o OUT.glb")
    if args.output.suffix.lower() not in (".glb", ".vrm"):
        return fail(f"{args.output}: the output must end in .glb or .vrm")
    if not args.output.parent.exists():
        return fail(f"{args.output.parent}: no such folder")
    if args.output.is_dir():
        return fail(f"{args.output}: is a folder; name a .glb file")
    start = time.perf_counter()
    asset = make_avatar(params)
    try:
        write_glb(asset, args.output)
    except OSError as error:
        return fail(f"{args.output}: cannot write: {error.strerror or error}")
    seconds = time.perf_counter() - start
    result = {"output": str(args.output), "style": args.style, "seed": args.seed,
              "vertices": asset.vertex_count, "triangles": asset.triangle_count,
              "joints": len(asset.skins[0].joints) if asset.skins else 0,
              "morph_targets": len(asset.morph_names()), "bytes": args.output.stat().st_size,
              "seconds": round(seconds, 3)}
    if args.validate:
        from engine.assets.validator import ValidatorUnavailable, validate_file

        try:
            report = validate_file(args.output)
        except ValidatorUnavailable as error:
            return fail(str(error))
        result["validator"] = {"errors": report.errors, "warnings": report.warnings}
        if report.errors:
            for line in report.error_messages()[:20]:
                print(line, file=sys.stderr)
    if args.json:
        print_json(result)
    else:
        print(f"wrote {result['output']}: {result['vertices']} vertices, {result['triangles']} triangles, "
              f"{result['joints']} joints, {result['morph_targets']} morph targets, "
              f"{result['bytes'] / 1024:.0f} KiB in {seconds:.1f} s")
        if "validator" in result:
            print(f"glTF validator: {result['validator']['errors']} errors, "
                  f"{result['validator']['warnings']} warnings")
    return 1 if result.get("validator", {}).get("errors") else 0


def run_inspect(args: argparse.Namespace) -> int:
    """Load a file and describe it."""
    from engine.assets.errors import AssetError
    from engine.assets.inspect import format_inspect, inspect_avatar
    from engine.assets.loader import load_avatar

    if not args.file.is_file():
        return fail(f"{args.file}: no such file")
    try:
        asset = load_avatar(args.file)
    except AssetError as error:
        return fail(str(error))
    info = inspect_avatar(asset)
    if args.json:
        print_json(info)
    else:
        print(format_inspect(info))
    return 0
