"""Skin weights: inverse-distance falloff to bone segments, blended over up to four bones, normalised."""

from __future__ import annotations

import numpy as np

from engine.assets.maker.geometry import Part
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
