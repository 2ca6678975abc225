"""Humanoid clips in VRM normalized space (three-vrm style) and the per-avatar rig that maps them.

A normalized rotation ``n_b`` of bone ``b`` is the bone's rotation relative to its rest, in
world-aligned axes of the avatar's canonical frame (faces +Z, left +X, up +Y). With ``C`` the
avatar's facing (canonical -> file world, a yaw), ``P_b`` the rest world rotation of b's parent
node and ``L_b`` b's rest local rotation, ``P'_b = C^-1 P_b`` and

    local_b = P'_b^-1 * n_b * P'_b * L_b          n_b = P'_b * local_b * L_b^-1 * P'_b^-1

so the bone's world rotation becomes ``C * (n_root ... n_b) * C^-1 * W_b``: the same clip turns
bones the same way on avatars whose rest local axes (or facing) differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.anim import quat
from engine.anim.pose import Pose, depth_levels, node_world_position, world_rotations
from engine.assets.hierarchy import rest_world_matrices
from engine.assets.model import HUMANOID_BONES, AvatarAsset


def _parents() -> dict[str, str | None]:
    parents: dict[str, str | None] = {
        "hips": None, "spine": "hips", "chest": "spine", "upperChest": "chest", "neck": "upperChest",
        "head": "neck", "leftEye": "head", "rightEye": "head", "jaw": "head",
    }
    for side in ("left", "right"):
        parents |= {f"{side}UpperLeg": "hips", f"{side}LowerLeg": f"{side}UpperLeg",
                    f"{side}Foot": f"{side}LowerLeg", f"{side}Toes": f"{side}Foot",
                    f"{side}Shoulder": "upperChest", f"{side}UpperArm": f"{side}Shoulder",
                    f"{side}LowerArm": f"{side}UpperArm", f"{side}Hand": f"{side}LowerArm"}
        for finger, first in (("Thumb", "Metacarpal"), ("Index", "Proximal"), ("Middle", "Proximal"),
                              ("Ring", "Proximal"), ("Little", "Proximal")):
            chain = [first, "Proximal", "Distal"] if finger == "Thumb" else [first, "Intermediate", "Distal"]
            previous = f"{side}Hand"
            for part in chain:
                parents[f"{side}{finger}{part}"] = previous
                previous = f"{side}{finger}{part}"
    return parents


# Parent of each VRM 1.0 humanoid bone in the spec's topology (hips is the root).
HUMANOID_PARENT: dict[str, str | None] = _parents()
# The child that gives a bone its direction: its first child in spec order (spine for hips,
# neck for upperChest), the middle finger for hands; the head has none (eyes are sideways).
DIRECTION_CHILD: dict[str, str] = {}
for _bone in HUMANOID_BONES:
    _parent = HUMANOID_PARENT[_bone]
    if _parent is not None and _parent != "head":
        DIRECTION_CHILD.setdefault(_parent, _bone)
del _bone, _parent
DIRECTION_CHILD |= {"leftHand": "leftMiddleProximal", "rightHand": "rightMiddleProximal"}


@dataclass(slots=True)
class HumanoidTrack:
    """Normalized rotation keys of one bone, linearly interpolated (slerp)."""

    times: np.ndarray  # (K,) seconds
    rotations: np.ndarray  # (K, 4)


@dataclass(slots=True)
class HumanoidClip:
    """A clip keyed by VRM bone names in normalized space; hips offsets in canonical metres.

    ``leg_length`` is the leg length (metres) the hips offsets were made for; players scale
    the offsets by ``avatar leg length / leg_length``.
    """

    name: str
    duration: float
    loop: bool
    tracks: dict[str, HumanoidTrack] = field(default_factory=dict)
    hips_times: np.ndarray | None = None
    hips_offsets: np.ndarray | None = None  # (K, 3)
    leg_length: float = 0.8

    @property
    def bones(self) -> list[str]:
        """The bones this clip animates."""
        return list(self.tracks)


def _interp(times: np.ndarray, t: float) -> tuple[int, int, float]:
    if len(times) == 1 or t <= times[0]:
        return 0, 0, 0.0
    if t >= times[-1]:
        return len(times) - 1, len(times) - 1, 0.0
    k = int(np.searchsorted(times, t, side="right")) - 1
    span = times[k + 1] - times[k]
    return k, k + 1, float((t - times[k]) / span) if span > 0 else 0.0


def sample_humanoid(clip: HumanoidClip, t: float, loop: bool | None = None
                    ) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """Normalized rotations per bone and the hips offset (or None) at playback time ``t``."""
    looping = clip.loop if loop is None else loop
    if clip.duration > 0:
        t = float(np.mod(t, clip.duration)) if looping else float(np.clip(t, 0.0, clip.duration))
    bones = list(clip.tracks)
    if not bones:
        rotations: dict[str, np.ndarray] = {}
    else:
        starts, ends, fractions = [], [], []
        for bone in bones:
            a, b, s = _interp(clip.tracks[bone].times, t)
            track = clip.tracks[bone].rotations
            starts.append(track[a])
            ends.append(track[b])
            fractions.append(s)
        # One batched slerp for all bones: per-bone numpy calls dominate otherwise.
        values = quat.slerp(np.array(starts), np.array(ends), np.array(fractions))
        rotations = dict(zip(bones, values, strict=True))
    offset = None
    if clip.hips_times is not None and clip.hips_offsets is not None:
        a, b, s = _interp(clip.hips_times, t)
        offset = (1.0 - s) * clip.hips_offsets[a] + s * clip.hips_offsets[b]
    return rotations, offset


def facing_rotation(asset: AvatarAsset, world: np.ndarray | None = None) -> np.ndarray:
    """The yaw quaternion taking the canonical frame (faces +Z, left +X) to the avatar's rest.

    Found from where the left limbs are; VRM 0.x files (facing -Z) give a half turn.
    """
    humanoid = asset.vrm.humanoid if asset.vrm is not None else {}
    world = rest_world_matrices(asset) if world is None else world
    left = np.zeros(3)
    for a, b in (("leftUpperLeg", "rightUpperLeg"), ("leftUpperArm", "rightUpperArm"),
                 ("leftShoulder", "rightShoulder"), ("leftHand", "rightHand")):
        if a in humanoid and b in humanoid:
            left += world[humanoid[a], :3, 3] - world[humanoid[b], :3, 3]
    if np.hypot(left[0], left[2]) < 1e-9:
        half_turn = asset.vrm is not None and asset.vrm.spec_version.startswith("0")
        return quat.from_axis_angle([0.0, 1.0, 0.0], np.pi if half_turn else 0.0)
    # R_y(phi) maps +X to (cos phi, 0, -sin phi).
    return quat.from_axis_angle([0.0, 1.0, 0.0], np.arctan2(-left[2], left[0]))


@dataclass(slots=True, eq=False)
class HumanoidRig:
    """What one avatar needs to map normalized humanoid rotations to local node rotations."""

    asset: AvatarAsset
    node: dict[str, int]  # bone -> node index
    parent: dict[str, str | None]  # nearest present humanoid ancestor
    facing: np.ndarray  # C
    parent_rest: dict[str, np.ndarray]  # P'_b = C^-1 * rest world rotation of b's parent node
    rest_local: dict[str, np.ndarray]  # L_b
    rest_world: dict[str, np.ndarray]  # C^-1 * W_b
    rest_position: dict[str, np.ndarray]  # canonical-frame rest positions, relative to hips
    child: dict[str, str]  # the present bone giving each bone its direction (DIRECTION_CHILD, skipping gaps)
    direction: dict[str, np.ndarray]  # canonical unit rest direction from the bone to ``child``
    hips_parent_world: np.ndarray  # (4, 4) rest world matrix of the hips' parent node
    hips_rest_world: np.ndarray  # (3,) hips rest world position
    leg_length: float
    # The same data as arrays, in ``order``, for batched conversions.
    order: list[str] = field(default_factory=list)
    order_nodes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    parent_slot: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # -1: root
    levels: list[np.ndarray] = field(default_factory=list)  # node depth levels of the asset

    @classmethod
    def from_asset(cls, asset: AvatarAsset) -> HumanoidRig:
        """Measure ``asset``'s humanoid rest pose; raises ValueError without a hips bone."""
        humanoid = {b: i for b, i in (asset.vrm.humanoid if asset.vrm else {}).items()
                    if b in HUMANOID_PARENT and 0 <= i < len(asset.nodes)}
        if "hips" not in humanoid:
            raise ValueError("the avatar has no humanoid hips bone (no VRM humanoid map?)")
        world = rest_world_matrices(asset)
        rotations = world_rotations(asset, Pose.rest(asset))
        c = facing_rotation(asset, world)
        c_inv = quat.conjugate(c)
        parent: dict[str, str | None] = {}
        for bone in humanoid:
            up = HUMANOID_PARENT[bone]
            while up is not None and up not in humanoid:
                up = HUMANOID_PARENT[up]
            parent[bone] = up
        parent_rest, rest_local, rest_world, rest_position = {}, {}, {}, {}
        children: dict[str, str] = {}
        direction: dict[str, np.ndarray] = {}
        hips_pos = world[humanoid["hips"], :3, 3]
        for bone, index in humanoid.items():
            node_parent = asset.nodes[index].parent
            p_world = rotations[node_parent] if node_parent >= 0 else quat.identity()
            parent_rest[bone] = quat.mul(c_inv, p_world)
            rest_local[bone] = quat.normalize(np.asarray(asset.nodes[index].rotation, dtype=np.float64))
            rest_world[bone] = quat.mul(c_inv, rotations[index])
            rest_position[bone] = quat.rotate(c_inv, world[index, :3, 3] - hips_pos)
        for bone in humanoid:
            child = DIRECTION_CHILD.get(bone)
            while child and child not in humanoid:
                child = DIRECTION_CHILD.get(child)
            if child:
                vector = rest_position[child] - rest_position[bone]
                if np.linalg.norm(vector) > 1e-9:
                    children[bone] = child
                    direction[bone] = vector / np.linalg.norm(vector)
        hips_node = asset.nodes[humanoid["hips"]]
        hips_parent_world = world[hips_node.parent] if hips_node.parent >= 0 else np.eye(4)
        legs = []
        for side in ("left", "right"):
            chain = [f"{side}UpperLeg", f"{side}LowerLeg", f"{side}Foot"]
            if all(b in humanoid for b in chain):
                legs.append(sum(np.linalg.norm(rest_position[b] - rest_position[a])
                                for a, b in zip(chain, chain[1:], strict=False)))
        leg_length = float(np.mean(legs)) if legs else float(abs(hips_pos[1])) or 1.0
        order = [b for b in HUMANOID_BONES if b in humanoid]
        slots = {b: i for i, b in enumerate(order)}
        parent_slot = np.array([slots[parent[b]] if parent[b] else -1 for b in order], dtype=np.int64)
        return cls(asset, humanoid, parent, c, parent_rest, rest_local, rest_world, rest_position,
                   children, direction, hips_parent_world, hips_pos.copy(), leg_length, order,
                   np.array([humanoid[b] for b in order], dtype=np.int64), parent_slot, depth_levels(asset))

    def to_local(self, bone: str, normalized: np.ndarray) -> np.ndarray:
        """Raw local rotation of ``bone`` for a normalized rotation."""
        p = self.parent_rest[bone]
        return quat.mul(quat.mul(quat.conjugate(p), quat.mul(normalized, p)), self.rest_local[bone])

    def to_normalized(self, bone: str, local: np.ndarray) -> np.ndarray:
        """Normalized rotation of ``bone`` for a raw local rotation."""
        p = self.parent_rest[bone]
        inner = quat.mul(local, quat.conjugate(self.rest_local[bone]))
        return quat.normalize(quat.mul(quat.mul(p, inner), quat.conjugate(p)))

    def fold(self, rotations: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Rotations for the bones this avatar has: a missing bone's rotation moves into its
        children (exact, as normalized rests are all identity)."""
        carry: dict[str, np.ndarray] = {}
        out: dict[str, np.ndarray] = {}
        for bone in HUMANOID_BONES:
            up = HUMANOID_PARENT[bone]
            q = rotations.get(bone)
            if up in carry:
                q = quat.mul(carry[up], q if q is not None else quat.identity())
            if q is None:
                continue
            if bone in self.node:
                out[bone] = q
            else:
                carry[bone] = q
        return out

    def write(self, pose: Pose, rotations: dict[str, np.ndarray], hips_offset: np.ndarray | None = None,
              weight: float = 1.0) -> Pose:
        """Set the local rotations (and hips translation) of ``pose`` in place, ``weight`` of the
        way from what the pose holds."""
        folded = self.fold(rotations)
        if folded:
            bones = list(folded)
            index = np.array([self.node[b] for b in bones])
            p = np.array([self.parent_rest[b] for b in bones])
            normalized = np.array([folded[b] for b in bones])
            rest = np.array([self.rest_local[b] for b in bones])
            target = quat.mul(quat.mul(quat.conjugate(p), quat.mul(normalized, p)), rest)
            pose.rotation[index] = target if weight >= 1.0 else quat.slerp(pose.rotation[index], target, weight)
        if hips_offset is not None:
            point = self.hips_rest_world + quat.rotate(self.facing, np.asarray(hips_offset, dtype=np.float64))
            local = np.linalg.solve(self.hips_parent_world, np.append(point, 1.0))[:3]
            index = self.node["hips"]
            pose.translation[index] += weight * (local - pose.translation[index])
        return pose

    def read(self, pose: Pose) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Normalized rotations of every humanoid bone and the hips offset in ``pose``.

        Works from world rotations, so animated non-humanoid nodes between bones are kept.
        """
        rotations = world_rotations(self.asset, pose, self.levels)
        c_inv = quat.conjugate(self.facing)
        rest = np.array([self.rest_world[b] for b in self.order])
        # Q_b: canonical world rotation relative to rest; n_b = Q_parent^-1 * Q_b
        delta = quat.mul(quat.mul(c_inv, rotations[self.order_nodes]), quat.conjugate(rest))
        parents = np.where(self.parent_slot[:, None] >= 0, delta[self.parent_slot], quat.identity())
        normalized = quat.normalize(quat.mul(quat.conjugate(parents), delta))
        out = dict(zip(self.order, normalized, strict=True))
        offset = quat.rotate(c_inv, node_world_position(self.asset, pose, self.node["hips"]) - self.hips_rest_world)
        return out, offset
