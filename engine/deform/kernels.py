"""Numba kernels for the DEFORM phase: joint matrices, sparse morph targets, linear-blend skinning."""

from __future__ import annotations

import numpy as np
from numba import njit

# Precision contract (reference.py follows the same one):
# - the joint chain (local, world, skin matrices) is computed in float64: there are only tens to
#   hundreds of joints, and long chains (spine -> finger tips) accumulate float32 rounding;
# - skin matrices leave ``skin_matrices`` as float32 (J, 3, 4) affine rows (the fourth row of an
#   affine matrix is always 0, 0, 0, 1), which is all the per-vertex kernel reads;
# - vertex data (positions, normals, weights, morph deltas) is float32 end to end.
#
# Threading: every kernel is a plain serial ``njit`` loop (no ``parallel=True``), so numba never
# starts a thread pool; DESIGN.md gives us ~one core and multithreading measured as no gain there.
#
# fastmath: the vertex kernels only use the ``contract`` flag (fused multiply-add). It changes
# results by rounding only (well under 1e-5 on unit-scale meshes) and keeps NaN/inf semantics, so
# results still match the numpy oracle; the other fastmath flags bought nothing measurable.
_VERTEX_FASTMATH = {"contract"}


@njit(cache=True)
def local_matrices(translations: np.ndarray, rotations: np.ndarray, scales: np.ndarray,
                   out: np.ndarray) -> None:
    """Write T * R * S (J, 4, 4) float64 local matrices from (J,3) translations, (J,4) xyzw
    quaternions (normalised here; a zero quaternion means identity) and (J,3) scales."""
    for j in range(translations.shape[0]):
        x = rotations[j, 0]
        y = rotations[j, 1]
        z = rotations[j, 2]
        w = rotations[j, 3]
        norm = np.sqrt(x * x + y * y + z * z + w * w)
        if norm > 0.0:
            x /= norm
            y /= norm
            z /= norm
            w /= norm
        sx = scales[j, 0]
        sy = scales[j, 1]
        sz = scales[j, 2]
        out[j, 0, 0] = (1.0 - 2.0 * (y * y + z * z)) * sx
        out[j, 0, 1] = 2.0 * (x * y - z * w) * sy
        out[j, 0, 2] = 2.0 * (x * z + y * w) * sz
        out[j, 0, 3] = translations[j, 0]
        out[j, 1, 0] = 2.0 * (x * y + z * w) * sx
        out[j, 1, 1] = (1.0 - 2.0 * (x * x + z * z)) * sy
        out[j, 1, 2] = 2.0 * (y * z - x * w) * sz
        out[j, 1, 3] = translations[j, 1]
        out[j, 2, 0] = 2.0 * (x * z - y * w) * sx
        out[j, 2, 1] = 2.0 * (y * z + x * w) * sy
        out[j, 2, 2] = (1.0 - 2.0 * (x * x + y * y)) * sz
        out[j, 2, 3] = translations[j, 2]
        out[j, 3, 0] = 0.0
        out[j, 3, 1] = 0.0
        out[j, 3, 2] = 0.0
        out[j, 3, 3] = 1.0


@njit(cache=True)
def world_matrices(local: np.ndarray, parents: np.ndarray, order: np.ndarray, out: np.ndarray) -> None:
    """Write (N, 4, 4) world matrices: ``out[i] = out[parents[i]] @ local[i]`` (roots have parent
    -1), visiting nodes in ``order``, where every parent comes before its children."""
    for o in range(order.shape[0]):
        i = order[o]
        p = parents[i]
        if p < 0:
            for r in range(4):
                for c in range(4):
                    out[i, r, c] = local[i, r, c]
        else:
            for r in range(4):
                for c in range(4):
                    out[i, r, c] = (out[p, r, 0] * local[i, 0, c] + out[p, r, 1] * local[i, 1, c]
                                    + out[p, r, 2] * local[i, 2, c] + out[p, r, 3] * local[i, 3, c])


@njit(cache=True)
def skin_matrices(world: np.ndarray, joints: np.ndarray, inverse_bind: np.ndarray,
                  mesh_world_inverse: np.ndarray, out: np.ndarray) -> None:
    """Write (J, 3, 4) float32 skin matrices ``mesh_world_inverse @ world[joints[j]] @ inverse_bind[j]``.

    ``world`` holds world matrices of all nodes, ``joints`` the skin's node indices. Pass the
    inverse world matrix of the node that carries the mesh to get vertices in that node's space
    (what glTF renderers expect, since they apply the mesh node's matrix afterwards); pass the
    identity to get vertices in world space. Only the three affine rows are written.
    """
    tmp = np.empty((4, 4))  # once per call, not per joint or vertex
    for j in range(joints.shape[0]):
        node = joints[j]
        for r in range(4):
            for c in range(4):
                tmp[r, c] = (world[node, r, 0] * inverse_bind[j, 0, c] + world[node, r, 1] * inverse_bind[j, 1, c]
                             + world[node, r, 2] * inverse_bind[j, 2, c] + world[node, r, 3] * inverse_bind[j, 3, c])
        for r in range(3):
            for c in range(4):
                out[j, r, c] = (mesh_world_inverse[r, 0] * tmp[0, c] + mesh_world_inverse[r, 1] * tmp[1, c]
                                + mesh_world_inverse[r, 2] * tmp[2, c] + mesh_world_inverse[r, 3] * tmp[3, c])


@njit(cache=True, fastmath=_VERTEX_FASTMATH)
def morph_accumulate(base_positions: np.ndarray, base_normals: np.ndarray, offsets: np.ndarray,
                     vertex_ids: np.ndarray, position_deltas: np.ndarray, normal_deltas: np.ndarray,
                     weights: np.ndarray, threshold: float, out_positions: np.ndarray,
                     out_normals: np.ndarray) -> int:
    """Write base + sum of weighted sparse deltas of the active targets; return how many were active.

    Target ``t`` owns rows ``offsets[t]:offsets[t+1]`` of ``vertex_ids`` / ``position_deltas`` /
    ``normal_deltas`` (see morphs.SparseMorphs). Targets with ``|weight| <= threshold`` are skipped
    without touching their rows. Normals are written only when ``base_normals`` has a row per
    vertex (pass a (0, 3) array for a primitive without normals); they are not renormalised here,
    the skinning kernel does that.
    """
    n = base_positions.shape[0]
    has_normals = base_normals.shape[0] == n
    # flat slice copies compile to a vectorised copy; a per-row loop measured ~3x slower
    out_positions.reshape(-1)[:] = base_positions.reshape(-1)
    if has_normals:
        out_normals.reshape(-1)[:] = base_normals.reshape(-1)
    active = 0
    for t in range(offsets.shape[0] - 1):
        w = np.float32(weights[t])
        if abs(w) <= threshold:
            continue
        active += 1
        if has_normals:
            # one pass over the rows for both attributes: the vertex id is read once
            for r in range(offsets[t], offsets[t + 1]):
                v = vertex_ids[r]
                out_positions[v, 0] += w * position_deltas[r, 0]
                out_positions[v, 1] += w * position_deltas[r, 1]
                out_positions[v, 2] += w * position_deltas[r, 2]
                out_normals[v, 0] += w * normal_deltas[r, 0]
                out_normals[v, 1] += w * normal_deltas[r, 1]
                out_normals[v, 2] += w * normal_deltas[r, 2]
        else:
            for r in range(offsets[t], offsets[t + 1]):
                v = vertex_ids[r]
                out_positions[v, 0] += w * position_deltas[r, 0]
                out_positions[v, 1] += w * position_deltas[r, 1]
                out_positions[v, 2] += w * position_deltas[r, 2]
    return active


@njit(cache=True, fastmath=_VERTEX_FASTMATH, inline="always")
def _write_vertex(v: int, m00: float, m01: float, m02: float, m03: float, m10: float, m11: float,
                  m12: float, m13: float, m20: float, m21: float, m22: float, m23: float,
                  positions: np.ndarray, normals: np.ndarray, has_normals: bool,
                  out_positions: np.ndarray, out_normals: np.ndarray) -> None:
    """Apply one blended 3x4 matrix to vertex ``v``'s position and (renormalised) normal."""
    x = positions[v, 0]
    y = positions[v, 1]
    z = positions[v, 2]
    out_positions[v, 0] = m00 * x + m01 * y + m02 * z + m03
    out_positions[v, 1] = m10 * x + m11 * y + m12 * z + m13
    out_positions[v, 2] = m20 * x + m21 * y + m22 * z + m23
    if has_normals:
        x = normals[v, 0]
        y = normals[v, 1]
        z = normals[v, 2]
        nx = m00 * x + m01 * y + m02 * z
        ny = m10 * x + m11 * y + m12 * z
        nz = m20 * x + m21 * y + m22 * z
        length = np.sqrt(nx * nx + ny * ny + nz * nz)
        if length > np.float32(0.0):
            inv = np.float32(1.0) / length
            nx *= inv
            ny *= inv
            nz *= inv
        out_normals[v, 0] = nx
        out_normals[v, 1] = ny
        out_normals[v, 2] = nz


@njit(cache=True, fastmath=_VERTEX_FASTMATH)
def skin_vertices(positions: np.ndarray, normals: np.ndarray, joints: np.ndarray, weights: np.ndarray,
                  skin: np.ndarray, out_positions: np.ndarray, out_normals: np.ndarray) -> None:
    """Linear-blend skinning: write skinned positions and unit normals.

    ``joints`` / ``weights`` are (N, K) for any K (weights assumed normalised, zero weights
    allowed); ``skin`` is the (J, 3, 4) float32 output of ``skin_matrices``. The K matrices of a
    vertex are blended first and the blend applied once (12 FMAs per influence instead of 18 when
    transforming position and normal per influence). Normals use the blended linear part (exact for
    rotation and uniform scale, the usual LBS approximation otherwise) and are renormalised; a
    zero-length result stays zero. Pass (0, 3) normals for a primitive without normals.
    """
    n = positions.shape[0]
    k = joints.shape[1]
    has_normals = normals.shape[0] == n
    zero = np.float32(0.0)
    if k == 4:
        # glTF's common case, unrolled: the generic loop below is unrolled by 8 by LLVM, so K=4
        # ran its remainder loop; this path measured ~12% faster
        for v in range(n):
            w0 = weights[v, 0]
            w1 = weights[v, 1]
            w2 = weights[v, 2]
            w3 = weights[v, 3]
            a = joints[v, 0]
            b = joints[v, 1]
            c = joints[v, 2]
            d = joints[v, 3]
            _write_vertex(
                v,
                w0 * skin[a, 0, 0] + w1 * skin[b, 0, 0] + w2 * skin[c, 0, 0] + w3 * skin[d, 0, 0],
                w0 * skin[a, 0, 1] + w1 * skin[b, 0, 1] + w2 * skin[c, 0, 1] + w3 * skin[d, 0, 1],
                w0 * skin[a, 0, 2] + w1 * skin[b, 0, 2] + w2 * skin[c, 0, 2] + w3 * skin[d, 0, 2],
                w0 * skin[a, 0, 3] + w1 * skin[b, 0, 3] + w2 * skin[c, 0, 3] + w3 * skin[d, 0, 3],
                w0 * skin[a, 1, 0] + w1 * skin[b, 1, 0] + w2 * skin[c, 1, 0] + w3 * skin[d, 1, 0],
                w0 * skin[a, 1, 1] + w1 * skin[b, 1, 1] + w2 * skin[c, 1, 1] + w3 * skin[d, 1, 1],
                w0 * skin[a, 1, 2] + w1 * skin[b, 1, 2] + w2 * skin[c, 1, 2] + w3 * skin[d, 1, 2],
                w0 * skin[a, 1, 3] + w1 * skin[b, 1, 3] + w2 * skin[c, 1, 3] + w3 * skin[d, 1, 3],
                w0 * skin[a, 2, 0] + w1 * skin[b, 2, 0] + w2 * skin[c, 2, 0] + w3 * skin[d, 2, 0],
                w0 * skin[a, 2, 1] + w1 * skin[b, 2, 1] + w2 * skin[c, 2, 1] + w3 * skin[d, 2, 1],
                w0 * skin[a, 2, 2] + w1 * skin[b, 2, 2] + w2 * skin[c, 2, 2] + w3 * skin[d, 2, 2],
                w0 * skin[a, 2, 3] + w1 * skin[b, 2, 3] + w2 * skin[c, 2, 3] + w3 * skin[d, 2, 3],
                positions, normals, has_normals, out_positions, out_normals)
        return
    for v in range(n):
        m00 = m01 = m02 = m03 = zero
        m10 = m11 = m12 = m13 = zero
        m20 = m21 = m22 = m23 = zero
        for i in range(k):
            w = weights[v, i]
            j = joints[v, i]
            m00 += w * skin[j, 0, 0]
            m01 += w * skin[j, 0, 1]
            m02 += w * skin[j, 0, 2]
            m03 += w * skin[j, 0, 3]
            m10 += w * skin[j, 1, 0]
            m11 += w * skin[j, 1, 1]
            m12 += w * skin[j, 1, 2]
            m13 += w * skin[j, 1, 3]
            m20 += w * skin[j, 2, 0]
            m21 += w * skin[j, 2, 1]
            m22 += w * skin[j, 2, 2]
            m23 += w * skin[j, 2, 3]
        _write_vertex(v, m00, m01, m02, m03, m10, m11, m12, m13, m20, m21, m22, m23,
                      positions, normals, has_normals, out_positions, out_normals)
