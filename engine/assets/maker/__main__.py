"""``python -m engine.assets.maker --style presenter --seed 7 -o assets/avatars/presenter.glb``."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.assets.gltf_writer import write_glb
from engine.assets.maker import AvatarParams, make_avatar
from engine.components.staging import AVATAR_STYLES


def main(argv: list[str] | None = None) -> int:
    """Make one avatar and write it as GLB."""
    parser = argparse.ArgumentParser(prog="python -m engine.assets.maker", description=__doc__)
    parser.add_argument("--style", choices=AVATAR_STYLES, default="presenter")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    overrides = dict(item.split("=", 1) for item in args.set)
    asset = make_avatar(AvatarParams.from_style(args.style, args.seed, **overrides))
    write_glb(asset, args.output)
    print(f"wrote {args.output}: {asset.vertex_count} vertices, {asset.triangle_count} triangles, "
          f"{args.output.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
