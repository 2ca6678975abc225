"""Vectorised quaternion math on (..., 4) arrays in glTF order (x, y, z, w)."""

from __future__ import annotations

import numpy as np

_EPS = 1e-12


def identity(shape: int | tuple[int, ...] = ()) -> np.ndarray:
    """Identity quaternions of the given leading shape (``()`` gives one (4,) quaternion)."""
    dims = (shape,) if isinstance(shape, int) else tuple(shape)
    out = np.zeros((*dims, 4))
    out[..., 3] = 1.0
    return out


def mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product ``a * b`` (apply ``b`` first, then ``a``), broadcasting."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    ax, ay, az, aw = a[..., 0], a[..., 1], a[..., 2], a[..., 3]
    bx, by, bz, bw = b[..., 0], b[..., 1], b[..., 2], b[..., 3]
    return np.stack(
        [
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
            aw * bw - ax * bx - ay * by - az * bz,
        ],
        axis=-1,
    )


def conjugate(q: np.ndarray) -> np.ndarray:
    """Conjugate (the inverse of a unit quaternion)."""
    out = np.array(q, dtype=np.float64, copy=True)
    out[..., :3] *= -1.0
    return out


def inverse(q: np.ndarray) -> np.ndarray:
    """Inverse, valid for non-unit quaternions too."""
    q = np.asarray(q, dtype=np.float64)
    return conjugate(q) / np.maximum(np.sum(q * q, axis=-1, keepdims=True), _EPS)


def normalize(q: np.ndarray) -> np.ndarray:
    """Unit quaternions; zero-length inputs become the identity."""
    q = np.asarray(q, dtype=np.float64)
    norm = np.linalg.norm(q, axis=-1, keepdims=True)
    out = q / np.where(norm < _EPS, 1.0, norm)
    return np.where(norm < _EPS, identity(), out)


def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """4D dot product over the last axis."""
    return np.sum(np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64), axis=-1)


def rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors ``v`` (..., 3) by unit quaternions ``q`` (..., 4)."""
    q = np.asarray(q, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    u = q[..., :3]
    w = q[..., 3:4]
    t = 2.0 * np.cross(u, v)
    return v + w * t + np.cross(u, t)


def from_axis_angle(axis: np.ndarray, angle: np.ndarray | float) -> np.ndarray:
    """Rotation of ``angle`` radians about ``axis`` (normalised here), broadcasting."""
    axis = np.asarray(axis, dtype=np.float64)
    axis = axis / np.maximum(np.linalg.norm(axis, axis=-1, keepdims=True), _EPS)
    half = 0.5 * np.asarray(angle, dtype=np.float64)[..., None]
    return np.concatenate([axis * np.sin(half), np.cos(half) * np.ones_like(axis[..., :1])], axis=-1)


def to_axis_angle(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit axis (..., 3) and angle in [0, pi] (...) of unit quaternions (shortest form)."""
    q = normalize(q)
    q = np.where(q[..., 3:4] < 0.0, -q, q)
    s = np.linalg.norm(q[..., :3], axis=-1)
    angle = 2.0 * np.arctan2(s, q[..., 3])
    axis = np.where(s[..., None] < _EPS, np.array([1.0, 0.0, 0.0]), q[..., :3] / np.maximum(s, _EPS)[..., None])
    return axis, angle


_AXES = {"X": np.array([1.0, 0.0, 0.0]), "Y": np.array([0.0, 1.0, 0.0]), "Z": np.array([0.0, 0.0, 1.0])}


def from_euler(angles: np.ndarray, order: str = "XYZ", degrees: bool = True) -> np.ndarray:
    """Intrinsic rotations about ``order[0]``, then ``order[1]``, then ``order[2]``.

    ``angles[..., i]`` is the angle about axis ``order[i]``; the result is
    ``q0 * q1 * q2``, which matches :func:`engine.mathx.quat_from_euler_deg` for "XYZ".
    """
    angles = np.asarray(angles, dtype=np.float64)
    if degrees:
        angles = np.radians(angles)
    out = from_axis_angle(_AXES[order[0].upper()], angles[..., 0])
    for i in (1, 2):
        out = mul(out, from_axis_angle(_AXES[order[i].upper()], angles[..., i]))
    return out


def to_matrix(q: np.ndarray) -> np.ndarray:
    """Rotation matrices (..., 3, 3) of quaternions (normalised first)."""
    q = normalize(q)
    x, y, z, w = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    m = np.empty((*q.shape[:-1], 3, 3))
    m[..., 0, 0] = 1 - 2 * (y * y + z * z)
    m[..., 0, 1] = 2 * (x * y - z * w)
    m[..., 0, 2] = 2 * (x * z + y * w)
    m[..., 1, 0] = 2 * (x * y + z * w)
    m[..., 1, 1] = 1 - 2 * (x * x + z * z)
    m[..., 1, 2] = 2 * (y * z - x * w)
    m[..., 2, 0] = 2 * (x * z - y * w)
    m[..., 2, 1] = 2 * (y * z + x * w)
    m[..., 2, 2] = 1 - 2 * (x * x + y * y)
    return m


def from_matrix(m: np.ndarray) -> np.ndarray:
    """Unit quaternions of rotation matrices (..., 3, 3) (Shepperd's method, per element)."""
    m = np.asarray(m, dtype=np.float64)
    flat = m.reshape(-1, 3, 3)
    out = np.empty((len(flat), 4))
    for i, r in enumerate(flat):
        trace = r[0, 0] + r[1, 1] + r[2, 2]
        if trace > 0.0:
            s = 2.0 * np.sqrt(trace + 1.0)
            out[i] = [(r[2, 1] - r[1, 2]) / s, (r[0, 2] - r[2, 0]) / s, (r[1, 0] - r[0, 1]) / s, 0.25 * s]
        elif r[0, 0] > r[1, 1] and r[0, 0] > r[2, 2]:
            s = 2.0 * np.sqrt(1.0 + r[0, 0] - r[1, 1] - r[2, 2])
            out[i] = [0.25 * s, (r[0, 1] + r[1, 0]) / s, (r[0, 2] + r[2, 0]) / s, (r[2, 1] - r[1, 2]) / s]
        elif r[1, 1] > r[2, 2]:
            s = 2.0 * np.sqrt(1.0 + r[1, 1] - r[0, 0] - r[2, 2])
            out[i] = [(r[0, 1] + r[1, 0]) / s, 0.25 * s, (r[1, 2] + r[2, 1]) / s, (r[0, 2] - r[2, 0]) / s]
        else:
            s = 2.0 * np.sqrt(1.0 + r[2, 2] - r[0, 0] - r[1, 1])
            out[i] = [(r[0, 2] + r[2, 0]) / s, (r[1, 2] + r[2, 1]) / s, 0.25 * s, (r[1, 0] - r[0, 1]) / s]
    return normalize(out.reshape(*m.shape[:-2], 4))


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    """Spherical interpolation from ``a`` (t=0) to ``b`` (t=1) along the shortest arc."""
    a = normalize(a)
    b = normalize(b)
    t = np.asarray(t, dtype=np.float64)[..., None]
    d = dot(a, b)[..., None]
    # q and -q are the same rotation: flip b so the path takes the short way round.
    b = np.where(d < 0.0, -b, b)
    d = np.abs(d)
    theta = np.arccos(np.clip(d, -1.0, 1.0))
    sin_theta = np.sin(theta)
    near = sin_theta < 1e-6
    safe = np.where(near, 1.0, sin_theta)
    wa = np.where(near, 1.0 - t, np.sin((1.0 - t) * theta) / safe)
    wb = np.where(near, t, np.sin(t * theta) / safe)
    return normalize(wa * a + wb * b)


def nlerp(a: np.ndarray, b: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    """Normalised linear interpolation along the shortest arc (cheaper than slerp)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)[..., None]
    b = np.where(dot(a, b)[..., None] < 0.0, -b, b)
    return normalize((1.0 - t) * a + t * b)


def scale_angle(q: np.ndarray, weight: np.ndarray | float) -> np.ndarray:
    """The rotation ``q`` applied ``weight`` of the way (slerp from the identity)."""
    return slerp(identity(), q, weight)


def angle_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle in radians of the rotation taking ``a`` to ``b``."""
    return 2.0 * np.arccos(np.clip(np.abs(dot(normalize(a), normalize(b))), 0.0, 1.0))


def between_vectors(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The shortest rotation (swing) taking direction ``u`` onto direction ``v``."""
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    u = u / np.maximum(np.linalg.norm(u, axis=-1, keepdims=True), _EPS)
    v = v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), _EPS)
    d = np.sum(u * v, axis=-1, keepdims=True)
    axis = np.cross(u, v)
    # Opposite vectors: any axis perpendicular to u will do.
    fallback = np.cross(u, np.array([1.0, 0.0, 0.0]))
    fallback = np.where(np.linalg.norm(fallback, axis=-1, keepdims=True) < 1e-6,
                        np.cross(u, np.array([0.0, 1.0, 0.0])), fallback)
    opposite = d < -1.0 + 1e-9
    q = np.concatenate([np.where(opposite, fallback, axis), np.where(opposite, 0.0, 1.0 + d)], axis=-1)
    return normalize(q)
