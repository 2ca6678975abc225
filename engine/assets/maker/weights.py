"""Skin weights: inverse-distance falloff to bone segments, blended over up to four bones, normalised."""

from __future__ import annotations

import numpy as np

from engine.assets.maker.geometry import Part, smoothstep
from engine.assets.maker.skeleton import Rig

INFLUENCES = 4


def segment_distances(points: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """(N, K) distances from each point to each segment start->end."""
    d = ends - starts  # (K, 3)
    length2 = np.maximum(np.einsum("kj,kj->k", d, d), 1e-12)
    rel = points[:, None, :] - starts[None, :, :]
    t = np.clip(np.einsum("nkj,kj->nk", rel, d) / length2, 0.0, 1.0)
    closest = starts[None] + t[..., None] * d[None]
    return np.linalg.norm(points[:, None, :] - closest, axis=-1)


def part_weights(part: Part, rig: Rig, power: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """Joints (N, 4) uint16 and weights (N, 4) float32 for a part, from its allowed bones.

    Weights fall off as ``1 / (d + eps) ** power`` from each bone segment so that vertices near a
    joint blend the two bones smoothly (no rigid seams at elbows, knees, shoulders or the neck).
    """
    names = list(part.bones)
    index = np.array([rig.names.index(n) for n in names], dtype=np.int64)
    segments = [rig.segment(n) for n in names]
    starts = np.array([s for s, _ in segments])
    ends = np.array([e for _, e in segments])
    n = len(part.positions)
    if len(names) == 1:
        raw = np.ones((n, 1))
    else:
        dist = segment_distances(part.positions, starts, ends)
        eps = 0.012 * rig.unit
        raw = 1.0 / (dist + eps) ** power
        raw = raw / raw.sum(axis=1, keepdims=True)
        raw = _shoulder_blend(part, rig, names, raw)
    order = np.argsort(-raw, axis=1, kind="stable")[:, :INFLUENCES]
    top = np.take_along_axis(raw, order, axis=1)
    joints = index[order]
    if top.shape[1] < INFLUENCES:
        # Pad with distinct unused joints at weight 0 (the validator rejects duplicate joints).
        spare = np.array([j for j in range(len(rig.names)) if j not in set(index.tolist())][:INFLUENCES])
        pad = INFLUENCES - top.shape[1]
        joints = np.concatenate([joints, np.broadcast_to(spare[:pad], (n, pad))], axis=1)
        top = np.concatenate([top, np.zeros((n, pad))], axis=1)
    # Drop negligible influences, then normalise in float64 and fix the float32 rounding on the largest.
    top = np.where(top / top.sum(axis=1, keepdims=True) < 0.01, 0.0, top)
    weights = (top / top.sum(axis=1, keepdims=True)).astype(np.float32)
    weights[:, 0] += np.float32(1.0) - weights.sum(axis=1, dtype=np.float32)
    # Unused slots point at joint 0 (the validator flags zero-weight slots naming other joints).
    joints = np.where(weights > 0, joints, 0)
    return joints.astype(np.uint16), weights


def _shoulder_blend(part: Part, rig: Rig, names: list[str], raw: np.ndarray) -> np.ndarray:
    """Replace the weights around each shoulder joint with a smooth ramp upperChest -> shoulder -> upperArm.

    Inverse-distance weights switch from the chest to the upper arm over a few millimetres at the
    shoulder, so lowering the arms from the T-pose rest folds the jacket into blocky pads. Here the
    ramp runs along the arm line across the whole deltoid (and the torso's shoulder corner follows
    the arm a little), which rounds the shoulder cap when the arms hang down.
    """
    u = rig.unit
    p = part.positions
    out = raw
    for side in ("left", "right"):
        shoulder, upper = f"{side}Shoulder", f"{side}UpperArm"
        if shoulder not in names or "upperChest" not in names:
            continue
        sx = 1.0 if side == "left" else -1.0
        joint = rig.pos(upper)
        a = sx * p[:, 0] / u  # along the arm line, 1.70 m units
        h = (p[:, 1] - joint[1]) / u  # above the shoulder joint
        has_arm = upper in names
        if has_arm:
            # Arm parts (sleeves, deltoid caps): the ramp up to mid upper arm, then the distance weights.
            zone = 1.0 - smoothstep(0.27, 0.34, a)
            w_arm = smoothstep(0.085, 0.265, a)
        else:
            # The torso: only its shoulder corner, above the armpit; it follows the arm at most a third.
            zone = smoothstep(0.04, 0.10, a) * smoothstep(-0.10, -0.035, h)
            w_arm = 0.0 * a
        w_sh = (1.0 - w_arm) * smoothstep(0.0, 0.12, a) * (0.55 + 0.45 * smoothstep(-0.06, 0.03, h))
        w_chest = 1.0 - w_arm - w_sh
        zone = zone * (a > 0.0)
        dense = np.zeros_like(out)
        dense[:, names.index("upperChest")] = w_chest
        dense[:, names.index(shoulder)] += w_sh
        if has_arm:
            dense[:, names.index(upper)] += w_arm
        out = out * (1.0 - zone[:, None]) + dense * zone[:, None]
    return out
