"""Pose blending: cross-fades, additive layers, bone masks and a small ordered layer stack."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from engine.anim import quat
from engine.anim.pose import Pose
from engine.anim.sampling import sample_clip
from engine.assets.model import AnimationClip, AvatarAsset

# Per-node blend factors in [0, 1], shape (N,); ``None`` means every node at 1.
Mask = np.ndarray


def _node_weights(weight: float, mask: Mask | None, count: int) -> np.ndarray:
    if mask is None:
        return np.full(count, float(weight))
    return float(weight) * np.asarray(mask, dtype=np.float64)


def blend_poses(a: Pose, b: Pose, weight: float, mask: Mask | None = None) -> Pose:
    """A new pose ``weight`` of the way from ``a`` to ``b`` (slerp for rotations), per-node masked."""
    w = _node_weights(weight, mask, a.node_count)
    out = a.copy()
    out.translation = a.translation + w[:, None] * (b.translation - a.translation)
    out.scale = a.scale + w[:, None] * (b.scale - a.scale)
    out.rotation = quat.slerp(a.rotation, b.rotation, w)
    # Morph weights belong to meshes, not bones: the mask does not reach them.
    for key, values in b.weights.items():
        base = a.weights.get(key, np.zeros_like(values))
        out.weights[key] = base + float(weight) * (values - base)
    return out


def crossfade_weight(t: float, start: float, duration: float, ease: bool = False) -> float:
    """Weight of the incoming clip: 0 at ``start``, 1 at ``start + duration`` (smoothstep if ``ease``)."""
    if duration <= 0.0:
        return 1.0 if t >= start else 0.0
    x = float(np.clip((t - start) / duration, 0.0, 1.0))
    return x * x * (3.0 - 2.0 * x) if ease else x


@dataclass(slots=True)
class CrossFade:
    """Fade from clip ``a`` to clip ``b`` starting at ``start`` (seconds) over ``duration``."""

    a: AnimationClip
    b: AnimationClip
    start: float
    duration: float
    loop_a: bool = True
    loop_b: bool = True
    ease: bool = False

    def weight(self, t: float) -> float:
        """The weight of clip ``b`` at time ``t``."""
        return crossfade_weight(t, self.start, self.duration, self.ease)

    def sample(self, t: float, rest: Pose) -> Pose:
        """The blended pose at ``t``; clip ``b`` plays from its own time 0 at ``start``."""
        pose_a = sample_clip(self.a, t, rest.copy(), self.loop_a)
        w = self.weight(t)
        if w <= 0.0:
            return pose_a
        pose_b = sample_clip(self.b, t - self.start, rest.copy(), self.loop_b)
        return pose_b if w >= 1.0 else blend_poses(pose_a, pose_b, w)


def additive_delta(pose: Pose, reference: Pose) -> Pose:
    """The delta taking ``reference`` to ``pose``: rotation ref^-1 * q, translation and weight
    differences, and scale ratios."""
    out = pose.copy()
    out.translation = pose.translation - reference.translation
    out.rotation = quat.mul(quat.conjugate(reference.rotation), pose.rotation)
    out.scale = pose.scale / np.where(reference.scale == 0.0, 1.0, reference.scale)
    for key, values in pose.weights.items():
        out.weights[key] = values - reference.weights.get(key, np.zeros_like(values))
    return out


def apply_additive(base: Pose, delta: Pose, weight: float = 1.0, mask: Mask | None = None) -> Pose:
    """``base`` with ``delta`` (from :func:`additive_delta`) added ``weight`` of the way."""
    w = _node_weights(weight, mask, base.node_count)
    out = base.copy()
    out.translation = base.translation + w[:, None] * delta.translation
    out.rotation = quat.normalize(quat.mul(base.rotation, quat.slerp(quat.identity(), delta.rotation, w)))
    out.scale = base.scale * (1.0 + w[:, None] * (delta.scale - 1.0))
    for key, values in delta.weights.items():
        current = base.weights.get(key, np.zeros_like(values))
        out.weights[key] = current + float(weight) * values
    return out


def mask_from_nodes(asset: AvatarAsset, roots: Iterable[int], descendants: bool = True) -> Mask:
    """A mask of 1 on the given nodes (and, by default, everything below them), 0 elsewhere."""
    mask = np.zeros(len(asset.nodes))
    stack = [r for r in roots if 0 <= r < len(asset.nodes)]
    while stack:
        index = stack.pop()
        mask[index] = 1.0
        if descendants:
            stack.extend(asset.nodes[index].children or
                         [i for i, n in enumerate(asset.nodes) if n.parent == index])
    return mask


def mask_from_bones(asset: AvatarAsset, bones: Iterable[str], descendants: bool = True) -> Mask:
    """A mask over VRM humanoid bone names (bones the avatar lacks are skipped)."""
    humanoid = asset.vrm.humanoid if asset.vrm is not None else {}
    return mask_from_nodes(asset, [humanoid[b] for b in bones if b in humanoid], descendants)


def upper_body_mask(asset: AvatarAsset) -> Mask:
    """Spine and everything above it: chest, neck, head, shoulders, arms, hands, fingers."""
    return mask_from_bones(asset, ["spine"])


def lower_body_mask(asset: AvatarAsset) -> Mask:
    """Hips and legs: the complement of :func:`upper_body_mask` within the hips subtree."""
    return np.clip(mask_from_bones(asset, ["hips"]) - upper_body_mask(asset), 0.0, 1.0)


PoseSource = Callable[[float, Pose], Pose]
"""Something that writes a pose for time ``t`` into (a copy of) the given base pose."""


def clip_source(clip: AnimationClip, loop: bool = True) -> PoseSource:
    """A :data:`PoseSource` sampling a glTF clip over the base pose."""

    def source(t: float, base: Pose) -> Pose:
        return sample_clip(clip, t, base.copy(), loop)

    return source


@dataclass(slots=True)
class Layer:
    """One layer: ``override`` blends its pose over the result so far; ``additive`` adds its
    delta against ``reference`` (default: the rest pose)."""

    name: str
    source: PoseSource
    weight: float = 1.0
    mode: str = "override"  # override, additive
    mask: Mask | None = None
    reference: Pose | None = None
    enabled: bool = True


@dataclass(slots=True)
class LayerStack:
    """Layers evaluated bottom to top over the rest pose of one asset."""

    rest: Pose
    layers: list[Layer] = field(default_factory=list)

    @classmethod
    def for_asset(cls, asset: AvatarAsset) -> LayerStack:
        """An empty stack over ``asset``'s rest pose."""
        return cls(Pose.rest(asset))

    def add(self, layer: Layer) -> Layer:
        """Append ``layer`` on top and return it."""
        self.layers.append(layer)
        return layer

    def get(self, name: str) -> Layer | None:
        """The layer called ``name``."""
        return next((layer for layer in self.layers if layer.name == name), None)

    def evaluate(self, t: float) -> Pose:
        """The pose at time ``t``."""
        pose = self.rest.copy()
        for layer in self.layers:
            if not layer.enabled or layer.weight <= 0.0:
                continue
            if layer.mode == "additive":
                reference = layer.reference if layer.reference is not None else self.rest
                delta = additive_delta(layer.source(t, reference.copy()), reference)
                pose = apply_additive(pose, delta, layer.weight, layer.mask)
            elif layer.mode == "override":
                pose = blend_poses(pose, layer.source(t, pose.copy()), layer.weight, layer.mask)
            else:
                raise ValueError(f"layer {layer.name!r}: unknown mode {layer.mode!r}")
        return pose
