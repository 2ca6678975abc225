"""Small vector math for transforms: quaternions (x, y, z, w as in glTF) and 4x4 matrices."""

from __future__ import annotations

import numpy as np


def quat_from_euler_deg(x: float, y: float, z: float) -> np.ndarray:
    """Quaternion (x, y, z, w) for intrinsic rotations about X, then Y, then Z, in degrees."""
    hx, hy, hz = np.radians([x, y, z]) * 0.5
    cx, sx = np.cos(hx), np.sin(hx)
    cy, sy = np.cos(hy), np.sin(hy)
    cz, sz = np.cos(hz), np.sin(hz)
    qx = np.array([sx, 0.0, 0.0, cx])
    qy = np.array([0.0, sy, 0.0, cy])
    qz = np.array([0.0, 0.0, sz, cz])
    return quat_mul(quat_mul(qx, qy), qz)


def quat_mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product a * b (apply b first, then a)."""
    ax, ay, az, aw = a
    bx, by, bz, bw = b
    return np.array(
        [
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
            aw * bw - ax * bx - ay * by - az * bz,
        ]
    )


def quats_to_matrices(quats: np.ndarray) -> np.ndarray:
    """Rotation matrices (N, 3, 3) for unit quaternions (N, 4) in x, y, z, w order."""
    q = np.asarray(quats, dtype=np.float64)
    norms = np.linalg.norm(q, axis=1, keepdims=True)
    q = q / np.where(norms == 0.0, 1.0, norms)
    x, y, z, w = q[:, 0], q[:, 1], q[:, 2], q[:, 3]
    m = np.empty((len(q), 3, 3))
    m[:, 0, 0] = 1 - 2 * (y * y + z * z)
    m[:, 0, 1] = 2 * (x * y - z * w)
    m[:, 0, 2] = 2 * (x * z + y * w)
    m[:, 1, 0] = 2 * (x * y + z * w)
    m[:, 1, 1] = 1 - 2 * (x * x + z * z)
    m[:, 1, 2] = 2 * (y * z - x * w)
    m[:, 2, 0] = 2 * (x * z - y * w)
    m[:, 2, 1] = 2 * (y * z + x * w)
    m[:, 2, 2] = 1 - 2 * (x * x + y * y)
    return m


def trs_matrices(positions: np.ndarray, quats: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """Local matrices (N, 4, 4) = T * R * S, column-vector convention."""
    n = len(positions)
    out = np.zeros((n, 4, 4))
    out[:, :3, :3] = quats_to_matrices(quats) * np.asarray(scales, dtype=np.float64)[:, None, :]
    out[:, :3, 3] = positions
    out[:, 3, 3] = 1.0
    return out
