"""Sparse morph targets: per target, only the vertex rows whose position or normal delta is non-zero."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.assets.model import MorphTarget, Primitive

# A target whose |weight| is at or below this is inactive: the kernels skip it entirely.
ACTIVE_THRESHOLD = 1e-6


@dataclass(slots=True, eq=False)
class SparseMorphs:
    """All morph targets of one primitive in CSR form.

    Target ``t`` owns rows ``offsets[t]:offsets[t+1]`` of ``vertex_ids`` (int32, increasing within
    a target), ``position_deltas`` and ``normal_deltas`` ((R, 3) float32; normal deltas are zero
    for targets without normals). ``names`` keeps the targets' order.
    """

    names: list[str]
    offsets: np.ndarray  # (T + 1,) int64
    vertex_ids: np.ndarray  # (R,) int32
    position_deltas: np.ndarray  # (R, 3) float32
    normal_deltas: np.ndarray  # (R, 3) float32

    @property
    def target_count(self) -> int:
        """Number of targets (including ones with no non-zero rows)."""
        return len(self.offsets) - 1

    @property
    def row_count(self) -> int:
        """Stored non-zero rows over all targets."""
        return len(self.vertex_ids)

    def density(self, vertex_count: int) -> float:
        """Mean fraction of the vertices a target touches."""
        if self.target_count == 0 or vertex_count == 0:
            return 0.0
        return self.row_count / (self.target_count * vertex_count)


def sparse_from_targets(targets: list[MorphTarget], vertex_count: int) -> SparseMorphs:
    """Build the CSR form from dense (N, 3) targets, keeping rows with any non-zero delta."""
    offsets = np.zeros(len(targets) + 1, dtype=np.int64)
    ids: list[np.ndarray] = []
    positions: list[np.ndarray] = []
    normals: list[np.ndarray] = []
    for t, target in enumerate(targets):
        dp = np.asarray(target.positions, dtype=np.float32).reshape(vertex_count, 3)
        dn = (np.zeros_like(dp) if target.normals is None
              else np.asarray(target.normals, dtype=np.float32).reshape(vertex_count, 3))
        rows = np.flatnonzero(np.any(dp != 0.0, axis=1) | np.any(dn != 0.0, axis=1)).astype(np.int32)
        ids.append(rows)
        positions.append(dp[rows])
        normals.append(dn[rows])
        offsets[t + 1] = offsets[t] + len(rows)
    return SparseMorphs(
        names=[t.name for t in targets],
        offsets=offsets,
        vertex_ids=np.ascontiguousarray(np.concatenate(ids) if ids else np.zeros(0, np.int32)),
        position_deltas=np.ascontiguousarray(np.concatenate(positions) if positions else np.zeros((0, 3), np.float32)),
        normal_deltas=np.ascontiguousarray(np.concatenate(normals) if normals else np.zeros((0, 3), np.float32)),
    )


def sparse_from_primitive(prim: Primitive) -> SparseMorphs:
    """The CSR form of a primitive's morph targets."""
    return sparse_from_targets(prim.targets, prim.vertex_count)
