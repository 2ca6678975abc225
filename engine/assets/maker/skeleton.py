"""The made avatar's VRM humanoid skeleton: joint positions (T-pose, +Z forward) and bone segments."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Finger layout of the LEFT hand relative to the hand joint, for a 1.70 m avatar: knuckle offset
# (x along the arm, y up, z forward), length, and base radius. The right hand mirrors it.
FINGERS = {
    "Index": (np.array([0.090, 0.001, 0.026]), 0.070, 0.0088),
    "Middle": (np.array([0.093, 0.002, 0.008]), 0.078, 0.0090),
    "Ring": (np.array([0.090, 0.000, -0.010]), 0.073, 0.0085),
    "Little": (np.array([0.083, -0.003, -0.026]), 0.058, 0.0075),
}
FINGER_SPLIT = (0.0, 0.45, 0.75, 1.0)  # proximal, intermediate, distal, tip as a fraction of length
THUMB_BASE = np.array([0.020, -0.010, 0.024])
THUMB_DIR = np.array([0.55, -0.22, 0.80]) / np.linalg.norm([0.55, -0.22, 0.80])
THUMB_LENGTHS = (0.040, 0.032, 0.030)  # metacarpal, proximal, distal (then the tip)
THUMB_RADIUS = 0.0105


@dataclass(slots=True)
class Rig:
    """Bone names, parents and world positions; ``tips`` ends the segments of leaf bones."""

    names: list[str] = field(default_factory=list)
    parents: list[int] = field(default_factory=list)
    positions: list[np.ndarray] = field(default_factory=list)
    tips: dict[str, np.ndarray] = field(default_factory=dict)
    unit: float = 1.0  # body scale, height / 1.70

    def add(self, name: str, parent: str | None, position: np.ndarray) -> None:
        """Append a bone (parents first)."""
        self.names.append(name)
        self.parents.append(-1 if parent is None else self.names.index(parent))
        self.positions.append(np.asarray(position, dtype=np.float64))

    def pos(self, name: str) -> np.ndarray:
        """World position of a bone's joint."""
        return self.positions[self.names.index(name)]

    def segment(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The bone as a segment from its joint to its child's joint (or its tip)."""
        start = self.pos(name)
        if name in self.tips:
            return start, self.tips[name]
        index = self.names.index(name)
        children = [i for i, p in enumerate(self.parents) if p == index]
        if not children:
            return start, start
        # Prefer the child along the bone's chain (e.g. hand -> middle finger, not thumb).
        return start, np.mean([self.positions[c] for c in children[:1]], axis=0)


def build_rig(height: float, eye_left: np.ndarray, eye_right: np.ndarray, head_top: np.ndarray,
              jaw: np.ndarray, head_base_y: float) -> Rig:
    """A VRM 1.0 humanoid rig for an avatar ``height`` metres tall whose head the head module laid out."""
    u = height / 1.70
    rig = Rig(unit=u)
    v = lambda x, y, z: np.array([x, y, z]) * u  # noqa: E731 - tiny local helper
    rig.add("hips", None, v(0.0, 0.98, 0.0))
    rig.add("spine", "hips", v(0.0, 1.07, 0.0))
    rig.add("chest", "spine", v(0.0, 1.18, 0.0))
    rig.add("upperChest", "chest", v(0.0, 1.29, -0.005))
    rig.add("neck", "upperChest", v(0.0, 1.425, -0.012))
    rig.add("head", "neck", np.array([0.0, head_base_y, -0.008 * u]))
    rig.add("leftEye", "head", eye_left)
    rig.add("rightEye", "head", eye_right)
    rig.add("jaw", "head", jaw)
    rig.tips["head"] = head_top
    rig.tips["leftEye"] = eye_left + np.array([0.0, 0.0, 0.02])
    rig.tips["rightEye"] = eye_right + np.array([0.0, 0.0, 0.02])
    rig.tips["jaw"] = jaw + np.array([0.0, -0.04, 0.06]) * u
    for side, sx in (("left", 1.0), ("right", -1.0)):
        rig.add(f"{side}UpperLeg", "hips", v(0.088 * sx, 0.915, 0.0))
        rig.add(f"{side}LowerLeg", f"{side}UpperLeg", v(0.092 * sx, 0.505, 0.004))
        rig.add(f"{side}Foot", f"{side}LowerLeg", v(0.095 * sx, 0.085, -0.012))
        rig.add(f"{side}Toes", f"{side}Foot", v(0.100 * sx, 0.020, 0.108))
        rig.tips[f"{side}Toes"] = v(0.102 * sx, 0.02, 0.165)
    for side, sx in (("left", 1.0), ("right", -1.0)):
        rig.add(f"{side}Shoulder", "upperChest", v(0.025 * sx, 1.395, -0.012))
        rig.add(f"{side}UpperArm", f"{side}Shoulder", v(0.165 * sx, 1.392, -0.014))
        rig.add(f"{side}LowerArm", f"{side}UpperArm", v(0.430 * sx, 1.392, -0.016))
        rig.add(f"{side}Hand", f"{side}LowerArm", v(0.672 * sx, 1.392, -0.010))
        hand = rig.pos(f"{side}Hand")
        mirror = np.array([sx, 1.0, 1.0])
        rig.tips[f"{side}Hand"] = hand + FINGERS["Middle"][0] * mirror * u
        # Thumb first so that finger order in the skin matches VRM's bone order.
        point = hand + THUMB_BASE * mirror * u
        parent = f"{side}Hand"
        for segment, length in zip(("Metacarpal", "Proximal", "Distal"), THUMB_LENGTHS, strict=True):
            rig.add(f"{side}Thumb{segment}", parent, point)
            parent = f"{side}Thumb{segment}"
            point = point + THUMB_DIR * mirror * length * u
        rig.tips[f"{side}ThumbDistal"] = point
        for finger, (base, length, _radius) in FINGERS.items():
            parent = f"{side}Hand"
            for segment, fraction in zip(("Proximal", "Intermediate", "Distal"), FINGER_SPLIT[:3], strict=True):
                joint = hand + (base + np.array([length * fraction, 0.0, 0.0])) * mirror * u
                rig.add(f"{side}{finger}{segment}", parent, joint)
                parent = f"{side}{finger}{segment}"
            rig.tips[f"{side}{finger}Distal"] = hand + (base + np.array([length, 0.0, 0.0])) * mirror * u
    return rig
