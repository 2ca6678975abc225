"""Resolve a scene's Avatar component to an asset: a file through the cache, or the built-in human."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.assets.cache import AssetCache
from engine.assets.errors import AssetError
from engine.assets.hierarchy import turn_around
from engine.assets.model import AvatarAsset
from engine.components import Avatar

log = logging.getLogger("persona.assets")


@dataclass
class AvatarLibrary:
    """Resource shared by every world of an app: loaded files and made built-in avatars."""

    files: AssetCache = field(default_factory=AssetCache)
    made: dict[tuple[str, int], AvatarAsset] = field(default_factory=dict)
    motions: dict[tuple[str, int], Any] = field(default_factory=dict)
    turned: dict[int, tuple[AvatarAsset, AvatarAsset]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def report(self, message: str) -> None:
        """Record and log a problem once (hot reloads would repeat it otherwise)."""
        if message not in self.problems:
            self.problems.append(message)
            log.error(message)

    def motion(self, name: str, seed: int) -> Any:
        """A library motion (a HumanoidClip), built once: baking one takes tens of milliseconds."""
        key = (name, seed)
        if key not in self.motions:
            from engine.anim.motions import make_motion

            self.motions[key] = make_motion(name, seed=seed)
        return self.motions[key]

    def builtin(self, style: str, seed: int) -> AvatarAsset:
        """The built-in digital human for ``style`` and ``seed`` (made once per app)."""
        key = (style, seed)
        if key not in self.made:
            from engine.assets.maker import AvatarParams, make_avatar

            self.made[key] = make_avatar(AvatarParams.from_style(style, seed))
        return self.made[key]

    def _facing_forward(self, asset: AvatarAsset) -> AvatarAsset:
        """VRM 0.x avatars face -Z; scenes expect +Z (VRM 1.0), so turn their roots half around."""
        if asset.vrm is None or not asset.vrm.spec_version.startswith("0"):
            return asset
        key = id(asset)
        turned = self.turned.get(key)
        if turned is None or turned[0] is not asset:
            turned = (asset, turn_around(asset))
            self.turned[key] = turned
        return turned[1]

    def resolve(self, avatar: Avatar, entity_name: str = "") -> AvatarAsset:
        """The asset for ``avatar``; a file that fails to load falls back to the built-in human."""
        if avatar.asset is None:
            return self.builtin(avatar.style, avatar.seed)
        try:
            return self._facing_forward(self.files.get(Path(avatar.asset)))
        except (AssetError, OSError) as error:
            message = (f"avatar of '{entity_name}': {error}; showing the built-in "
                       f"{avatar.style} avatar instead")
            self.report(message)
            return self.builtin(avatar.style, avatar.seed)
