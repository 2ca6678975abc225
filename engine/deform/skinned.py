"""Per-primitive prepared data and reused output buffers: morph, then skin, once per frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.assets.model import Primitive
from engine.deform import kernels
from engine.deform.morphs import ACTIVE_THRESHOLD, SparseMorphs, sparse_from_primitive

_IDENTITY = np.eye(4)


def pose_skin_matrices(translations: np.ndarray, rotations: np.ndarray, scales: np.ndarray,
                       parents: np.ndarray, order: np.ndarray, joints: np.ndarray,
                       inverse_bind: np.ndarray, mesh_world_inverse: np.ndarray | None = None) -> np.ndarray:
    """(J, 3, 4) float32 skin matrices from a local TRS pose of all nodes (allocates; see kernels).

    ``translations``/``rotations``/``scales`` are per node, ``parents``/``order`` as in
    ``engine.assets.hierarchy`` (``parent_array``, ``topological_order``), ``joints`` the skin's
    node indices. ``mesh_world_inverse`` (4x4) brings vertices into the mesh node's space.
    """
    count = len(parents)
    local = np.empty((count, 4, 4))
    world = np.empty((count, 4, 4))
    kernels.local_matrices(np.ascontiguousarray(translations, dtype=np.float64),
                           np.ascontiguousarray(rotations, dtype=np.float64),
                           np.ascontiguousarray(scales, dtype=np.float64), local)
    kernels.world_matrices(local, np.ascontiguousarray(parents, dtype=np.int32),
                           np.ascontiguousarray(order, dtype=np.int32), world)
    out = np.empty((len(joints), 3, 4), dtype=np.float32)
    root = _IDENTITY if mesh_world_inverse is None else np.ascontiguousarray(mesh_world_inverse, dtype=np.float64)
    kernels.skin_matrices(world, np.ascontiguousarray(joints, dtype=np.int32),
                          np.ascontiguousarray(inverse_bind, dtype=np.float64), root, out)
    return out


@dataclass(slots=True, eq=False)
class SkinnedPrimitive:
    """Contiguous float32 vertex data of one primitive, its sparse morphs and its output buffers.

    ``deform`` writes into ``out_positions`` / ``out_normals`` and returns them: the same arrays
    every frame, so copy them if a frame's result must outlive the next call. A primitive without
    normals carries (0, 3) arrays; one without joints is only morphed.
    """

    positions: np.ndarray  # (N, 3) float32 bind pose
    normals: np.ndarray  # (N, 3) float32, or (0, 3)
    joints: np.ndarray | None  # (N, K) uint16
    weights: np.ndarray | None  # (N, K) float32
    morphs: SparseMorphs
    morphed_positions: np.ndarray  # (N, 3) float32 scratch: bind pose plus morphs
    morphed_normals: np.ndarray
    out_positions: np.ndarray
    out_normals: np.ndarray
    skin_buffer: np.ndarray  # (J, 3, 4) float32, filled from 4x4 skin matrices
    weight_buffer: np.ndarray  # (T,) float32 morph weights, filled each frame

    @classmethod
    def from_primitive(cls, prim: Primitive, joint_count: int | None = None) -> SkinnedPrimitive:
        """Prepare ``prim``; ``joint_count`` (the skin's J) sizes the skin-matrix buffer."""
        positions = np.ascontiguousarray(prim.positions, dtype=np.float32).reshape(-1, 3)
        n = len(positions)
        normals = (np.zeros((0, 3), np.float32) if prim.normals is None
                   else np.ascontiguousarray(prim.normals, dtype=np.float32).reshape(n, 3))
        joints = weights = None
        if prim.joints is not None and prim.weights is not None:
            # uint16 as stored in glTF: half the bytes of int32, and the kernel is memory-bound
            joints = np.ascontiguousarray(prim.joints, dtype=np.uint16).reshape(n, -1)
            weights = np.ascontiguousarray(prim.weights, dtype=np.float32).reshape(n, -1)
        if joint_count is None:
            joint_count = int(joints.max()) + 1 if joints is not None and joints.size else 0
        return cls(
            positions=positions, normals=normals, joints=joints, weights=weights,
            morphs=sparse_from_primitive(prim),
            morphed_positions=np.empty_like(positions), morphed_normals=np.empty_like(normals),
            out_positions=np.empty_like(positions), out_normals=np.empty_like(normals),
            skin_buffer=np.zeros((joint_count, 3, 4), np.float32),
            weight_buffer=np.zeros(len(prim.targets), np.float32),
        )

    @property
    def vertex_count(self) -> int:
        """Number of vertices."""
        return len(self.positions)

    def _skin_rows(self, skin_matrices: np.ndarray) -> np.ndarray:
        if skin_matrices.dtype == np.float32 and skin_matrices.shape[1:] == (3, 4) \
                and skin_matrices.flags.c_contiguous:
            return skin_matrices
        if len(self.skin_buffer) != len(skin_matrices):
            self.skin_buffer = np.zeros((len(skin_matrices), 3, 4), np.float32)
        self.skin_buffer[:] = skin_matrices[:, :3, :]
        return self.skin_buffer

    def deform(self, skin_matrices: np.ndarray | None, morph_weights: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """Morph (targets with ``|w| > 1e-6``), then skin; return (positions, normals) buffers.

        ``skin_matrices`` is (J, 3, 4) float32 as from ``pose_skin_matrices`` (used as is) or
        (J, 4, 4) of any float type (copied into a reused float32 buffer); ``None`` skips
        skinning. ``morph_weights`` has one weight per target (``None``: no morphs).
        """
        positions, normals = self.positions, self.normals
        if morph_weights is not None and self.morphs.target_count:
            if len(morph_weights) != self.morphs.target_count:
                raise ValueError(f"{len(morph_weights)} morph weights for {self.morphs.target_count} targets")
            weights = self.weight_buffer
            weights[:] = morph_weights
            morphs = self.morphs
            kernels.morph_accumulate(positions, normals, morphs.offsets, morphs.vertex_ids,
                                     morphs.position_deltas, morphs.normal_deltas, weights,
                                     ACTIVE_THRESHOLD, self.morphed_positions, self.morphed_normals)
            positions, normals = self.morphed_positions, self.morphed_normals
        if skin_matrices is None or self.joints is None or self.weights is None:
            self.out_positions[:] = positions
            self.out_normals[:] = normals
            return self.out_positions, self.out_normals
        kernels.skin_vertices(positions, normals, self.joints, self.weights,
                              self._skin_rows(skin_matrices), self.out_positions, self.out_normals)
        return self.out_positions, self.out_normals
