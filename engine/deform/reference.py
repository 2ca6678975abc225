"""Plain-numpy deformation: the oracle for the numba kernels in tests and their baseline in bench."""

from __future__ import annotations

import numpy as np

from engine.deform.morphs import ACTIVE_THRESHOLD, SparseMorphs
from engine.mathx import trs_matrices


def local_matrices_ref(translations: np.ndarray, rotations: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """(J, 4, 4) float64 T * R * S local matrices (quaternions xyzw, normalised)."""
    return trs_matrices(np.asarray(translations, dtype=np.float64), rotations,
                        np.asarray(scales, dtype=np.float64))


def world_matrices_ref(local: np.ndarray, parents: np.ndarray, order: np.ndarray) -> np.ndarray:
    """(N, 4, 4) world matrices, walking ``order`` (parents before children)."""
    world = np.empty_like(local, dtype=np.float64)
    for i in order:
        p = parents[i]
        world[i] = local[i] if p < 0 else world[p] @ local[i]
    return world


def skin_matrices_ref(world: np.ndarray, joints: np.ndarray, inverse_bind: np.ndarray,
                      mesh_world_inverse: np.ndarray | None = None) -> np.ndarray:
    """(J, 4, 4) float64 ``mesh_world_inverse @ world[joints] @ inverse_bind``."""
    skin = world[np.asarray(joints)] @ np.asarray(inverse_bind, dtype=np.float64)
    if mesh_world_inverse is not None:
        skin = np.asarray(mesh_world_inverse, dtype=np.float64) @ skin
    return skin


def morph_dense_ref(base_positions: np.ndarray, base_normals: np.ndarray | None,
                    target_positions: list[np.ndarray], target_normals: list[np.ndarray | None],
                    weights: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Base + sum of ``weight * delta`` over the dense (N, 3) targets with ``|weight| > 1e-6``."""
    positions = np.array(base_positions, dtype=np.float32)
    normals = None if base_normals is None else np.array(base_normals, dtype=np.float32)
    for t, w in enumerate(np.asarray(weights, dtype=np.float32)):
        if abs(w) <= ACTIVE_THRESHOLD:
            continue
        positions += w * target_positions[t]
        if normals is not None and target_normals[t] is not None:
            normals += w * target_normals[t]
    return positions, normals


def morph_sparse_ref(base_positions: np.ndarray, base_normals: np.ndarray | None, morphs: SparseMorphs,
                     weights: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The same sum from the sparse rows, with numpy fancy indexing (the bench baseline)."""
    positions = base_positions.copy()
    normals = None if base_normals is None else base_normals.copy()
    weights = np.asarray(weights, dtype=np.float32)
    for t in np.flatnonzero(np.abs(weights) > ACTIVE_THRESHOLD):
        rows = slice(morphs.offsets[t], morphs.offsets[t + 1])
        ids = morphs.vertex_ids[rows]
        # vertex ids are unique within a target, so fancy-index += does not drop updates
        positions[ids] += weights[t] * morphs.position_deltas[rows]
        if normals is not None:
            normals[ids] += weights[t] * morphs.normal_deltas[rows]
    return positions, normals


def skin_vertices_ref(positions: np.ndarray, normals: np.ndarray | None, joints: np.ndarray,
                      weights: np.ndarray, skin: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Linear-blend skinning in float32 numpy: blend the (3, 4) matrices per vertex, then apply.

    ``skin`` is (J, 4, 4) or (J, 3, 4); normals use the blended linear part and are renormalised.
    """
    affine = np.ascontiguousarray(np.asarray(skin)[:, :3, :], dtype=np.float32)
    blended = np.einsum("nk,nkrc->nrc", weights.astype(np.float32, copy=False),
                        affine[joints.astype(np.intp)], optimize=True)
    linear = blended[:, :, :3]
    out_positions = np.einsum("nrc,nc->nr", linear, positions) + blended[:, :, 3]
    out_normals = None
    if normals is not None:
        out_normals = np.einsum("nrc,nc->nr", linear, normals)
        length = np.linalg.norm(out_normals, axis=1, keepdims=True)
        out_normals = np.divide(out_normals, length, out=np.zeros_like(out_normals), where=length > 0)
    return out_positions, out_normals
