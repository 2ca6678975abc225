"""Retargeting: raw glTF clips <-> normalized humanoid clips, and clips from one avatar to another."""

from __future__ import annotations

import numpy as np

from engine.anim import quat
from engine.anim.humanoid import (
    HUMANOID_PARENT,
    HumanoidClip,
    HumanoidRig,
    HumanoidTrack,
    sample_humanoid,
)
from engine.anim.pose import Pose
from engine.anim.sampling import sample_clip
from engine.assets.model import HUMANOID_BONES, AnimationClip, AvatarAsset, Channel

_IDENTITY = quat.identity()
_INDEX = {bone: i for i, bone in enumerate(HUMANOID_BONES)}
_PARENT_INDEX = np.array([_INDEX.get(HUMANOID_PARENT[b] or "", -1) for b in HUMANOID_BONES])


def _humanoid_levels() -> list[np.ndarray]:
    depth = np.zeros(len(HUMANOID_BONES), dtype=np.int64)
    for i, up in enumerate(_PARENT_INDEX):  # HUMANOID_BONES lists parents before children
        depth[i] = 0 if up < 0 else depth[up] + 1
    return [np.flatnonzero(depth == d) for d in range(int(depth.max()) + 1)]


_LEVELS = _humanoid_levels()


def _rig(avatar: AvatarAsset | HumanoidRig) -> HumanoidRig:
    return avatar if isinstance(avatar, HumanoidRig) else HumanoidRig.from_asset(avatar)


def _frame_times(duration: float, fps: float) -> np.ndarray:
    count = max(2, int(np.ceil(duration * fps - 1e-9)) + 1)
    return np.linspace(0.0, max(duration, 0.0), count)


def _animated_nodes(clip: AnimationClip, path: str) -> set[int]:
    return {c.node for c in clip.channels if c.path == path}


def to_humanoid_clip(clip: AnimationClip, avatar: AvatarAsset | HumanoidRig, fps: float = 30.0,
                     loop: bool = True) -> HumanoidClip:
    """Resample a raw clip of ``avatar`` at ``fps`` into normalized humanoid rotations.

    Every present bone gets a track (bones the clip leaves alone stay at identity), so that
    rotations of animated non-humanoid nodes in between are carried by the bones below them.
    """
    rig = _rig(avatar)
    times = _frame_times(clip.duration, fps)
    rest = Pose.rest(rig.asset)
    keys: dict[str, list[np.ndarray]] = {bone: [] for bone in rig.node}
    offsets = []
    for t in times:
        rotations, offset = rig.read(sample_clip(clip, float(t), rest.copy(), loop=False))
        for bone, q in rotations.items():
            keys[bone].append(q)
        offsets.append(offset)
    tracks = {}
    for bone, values in keys.items():
        rotations = np.array(values)
        # Keep consecutive keys in one hemisphere so later slerps take the short way.
        for i in range(1, len(rotations)):
            if quat.dot(rotations[i - 1], rotations[i]) < 0.0:
                rotations[i] = -rotations[i]
        tracks[bone] = HumanoidTrack(times.copy(), rotations)
    moves_hips = rig.node["hips"] in _animated_nodes(clip, "translation")
    return HumanoidClip(clip.name, float(clip.duration), loop, tracks,
                        times.copy() if moves_hips else None,
                        np.array(offsets) if moves_hips else None, rig.leg_length)


def rest_alignment(source: HumanoidRig, target: HumanoidRig) -> dict[str, np.ndarray]:
    """Per bone, the swing ``S_b`` taking the target's rest direction onto the source's
    (canonical frame); identity where either avatar lacks a direction for the bone."""
    return {bone: quat.between_vectors(target.direction[bone], source.direction[bone])
            for bone in target.node if bone in target.direction and bone in source.direction}


def align_rotations(rotations: dict[str, np.ndarray], target: HumanoidRig,
                    alignment: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Normalized rotations for ``target`` so that its bones point where the source's do.

    With ``Q_b`` the source's accumulated rotation (product of normalized rotations from the
    hips down), the target gets ``Q'_b = Q_b * S_b`` and ``n'_b = Q'_parent^-1 * Q'_b``.
    """
    total = np.array([rotations.get(bone, _IDENTITY) for bone in HUMANOID_BONES], dtype=np.float64)
    for level in _LEVELS[1:]:
        total[level] = quat.mul(total[_PARENT_INDEX[level]], total[level])
    swings = np.array([alignment.get(bone, _IDENTITY) for bone in target.order])
    aligned = quat.mul(total[[_INDEX[b] for b in target.order]], swings)
    parents = np.where(target.parent_slot[:, None] >= 0, aligned[target.parent_slot], _IDENTITY)
    return dict(zip(target.order, quat.normalize(quat.mul(quat.conjugate(parents), aligned)), strict=True))


def bake_clip(clip: HumanoidClip, avatar: AvatarAsset | HumanoidRig, fps: float = 30.0,
              alignment: dict[str, np.ndarray] | None = None, hips_scale: float | None = None
              ) -> AnimationClip:
    """A raw glTF clip (LINEAR rotation keys per present bone, hips translation) for ``avatar``.

    ``alignment`` (from :func:`rest_alignment`) makes the avatar match the source's rest
    directions; ``hips_scale`` defaults to ``avatar leg length / clip.leg_length``.
    """
    rig = _rig(avatar)
    times = _frame_times(clip.duration, fps)
    scale = rig.leg_length / clip.leg_length if hips_scale is None and clip.leg_length > 0 else (hips_scale or 1.0)
    rest = Pose.rest(rig.asset)
    bones = list(rig.fold({b: quat.identity() for b in clip.tracks}))
    if alignment is not None:
        bones = list(rig.node)
    rotations = {bone: np.empty((len(times), 4)) for bone in bones}
    hips = np.empty((len(times), 3))
    for i, t in enumerate(times):
        normalized, offset = sample_humanoid(clip, float(t), loop=False)
        if alignment is not None:
            normalized = align_rotations(normalized, rig, alignment)
        pose = rig.write(rest.copy(), normalized, None if offset is None else offset * scale)
        for bone in bones:
            rotations[bone][i] = pose.rotation[rig.node[bone]]
        hips[i] = pose.translation[rig.node["hips"]]
    channels = []
    for bone in bones:
        values = rotations[bone]
        for k in range(1, len(values)):
            if quat.dot(values[k - 1], values[k]) < 0.0:
                values[k] = -values[k]
        channels.append(Channel(rig.node[bone], "rotation", "LINEAR", times.astype(np.float32),
                                values.astype(np.float32)))
    if clip.hips_offsets is not None:
        channels.append(Channel(rig.node["hips"], "translation", "LINEAR", times.astype(np.float32),
                                hips.astype(np.float32)))
    return AnimationClip(clip.name, channels, float(clip.duration))


def retarget_clip(clip: AnimationClip, source: AvatarAsset | HumanoidRig, target: AvatarAsset | HumanoidRig,
                  fps: float = 30.0, align_rest: bool = True) -> AnimationClip:
    """Retarget a raw clip of ``source`` onto ``target`` by VRM bone names.

    Rest-pose aware: rotations go through normalized space (so rest local axes and facing do
    not matter); with ``align_rest`` each target bone is also swung from its rest direction onto
    the source's (an A-pose avatar follows a T-pose one). Hips translation is scaled by the leg
    length ratio.
    """
    source_rig, target_rig = _rig(source), _rig(target)
    humanoid = to_humanoid_clip(clip, source_rig, fps, loop=False)
    alignment = rest_alignment(source_rig, target_rig) if align_rest else None
    return bake_clip(humanoid, target_rig, fps, alignment, target_rig.leg_length / source_rig.leg_length)


def retarget_humanoid_clip(clip: HumanoidClip, source: AvatarAsset | HumanoidRig,
                           target: AvatarAsset | HumanoidRig) -> HumanoidClip:
    """A normalized clip made on ``source`` adjusted to ``target``'s rest directions."""
    source_rig, target_rig = _rig(source), _rig(target)
    alignment = rest_alignment(source_rig, target_rig)
    tracks = {}
    keys = sorted({float(t) for track in clip.tracks.values() for t in track.times})
    times = np.array(keys or [0.0])
    per_bone: dict[str, list[np.ndarray]] = {bone: [] for bone in target_rig.node}
    for t in times:
        aligned = align_rotations(sample_humanoid(clip, float(t), loop=False)[0], target_rig, alignment)
        for bone in per_bone:
            per_bone[bone].append(aligned[bone])
    for bone, values in per_bone.items():
        tracks[bone] = HumanoidTrack(times.copy(), np.array(values))
    offsets = None if clip.hips_offsets is None else clip.hips_offsets * (target_rig.leg_length / clip.leg_length)
    return HumanoidClip(clip.name, clip.duration, clip.loop, tracks, clip.hips_times, offsets,
                        target_rig.leg_length)
