"""Runtime avatar components: the loaded model, its pose, its motion player, its deformed meshes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.anim.player import MotionPlayer
from engine.anim.pose import Pose
from engine.assets.model import AvatarAsset
from engine.deform.skinned import SkinnedPrimitive


@dataclass(slots=True, eq=False)
class AvatarModel:
    """The asset an Avatar entity shows, with its rest pose."""

    asset: AvatarAsset
    rest: Pose


@dataclass(slots=True, eq=False)
class PoseState:
    """The avatar's current pose (written in ANIMATE, read in DEFORM)."""

    pose: Pose


@dataclass(slots=True, eq=False)
class Motion:
    """Plays the idle and the gestures of a humanoid avatar (None for non-humanoid assets)."""

    player: MotionPlayer | None
    seed: int = 0


@dataclass(slots=True, eq=False)
class SkinnedPart:
    """One primitive of the avatar, prepared for the kernels."""

    node: int
    mesh: int
    primitive: int
    skin: int | None
    data: SkinnedPrimitive


@dataclass(slots=True, eq=False)
class DeformedMeshes:
    """The avatar's deformed vertices this frame (asset space), per primitive."""

    parts: list[SkinnedPart]
    parents: np.ndarray
    order: np.ndarray
    positions: list[np.ndarray] = field(default_factory=list)
    normals: list[np.ndarray] = field(default_factory=list)
    frame: int = -1
