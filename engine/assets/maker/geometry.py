"""Mesh building blocks for the avatar maker: parts, grids, lofted tubes, ellipsoids, normals."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(slots=True, eq=False)
class Part:
    """A piece of surface with one material, one region label and the bones that may move it."""

    name: str
    material: str
    positions: np.ndarray  # (N, 3) float64, world space, rest pose
    indices: np.ndarray  # (M, 3) int64
    label: str = ""
    bones: tuple[str, ...] = ()
    normals: np.ndarray | None = None  # (N, 3); computed from the triangles when None
    extra: dict = field(default_factory=dict)

    def ensure_normals(self) -> np.ndarray:
        """The part's normals, computed (area weighted) on first use."""
        if self.normals is None:
            self.normals = vertex_normals(self.positions, self.indices)
        return self.normals


def vertex_normals(positions: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Area-weighted unit vertex normals (N, 3)."""
    p = np.asarray(positions, dtype=np.float64)
    tri = p[indices]
    face = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    normals = np.zeros_like(p)
    for corner in range(3):
        np.add.at(normals, indices[:, corner], face)
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    # Isolated vertices (none expected) get an arbitrary up normal so the file stays valid.
    normals = np.where(length > 1e-12, normals / np.maximum(length, 1e-12), np.array([0.0, 1.0, 0.0]))
    return normals


def grid_indices(rows: int, cols: int, wrap: bool, offset: int = 0) -> np.ndarray:
    """Two triangles per cell of a rows x cols vertex grid (row-major); ``wrap`` closes the columns."""
    c_count = cols if wrap else cols - 1
    r = np.arange(rows - 1)[:, None]
    c = np.arange(c_count)[None, :]
    a = r * cols + c
    b = r * cols + (c + 1) % cols
    d = (r + 1) * cols + c
    e = (r + 1) * cols + (c + 1) % cols
    # Winding chosen so that, for rows going "down" a surface and columns going counter-clockwise
    # seen from outside, the normals point outwards.
    tris = np.stack([np.stack([a, d, b], -1), np.stack([b, d, e], -1)], axis=2).reshape(-1, 3)
    return tris + offset


def fan_indices(center: int, ring: np.ndarray, reverse: bool) -> np.ndarray:
    """Triangles joining a pole vertex to a closed ring of vertex indices."""
    nxt = np.roll(ring, -1)
    tris = np.stack([np.full_like(ring, center), nxt, ring], axis=1)
    return tris[:, ::-1].copy() if reverse else tris


def closed_grid(grid: np.ndarray, top: np.ndarray | None, bottom: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Positions and triangles of a (rows, cols, 3) grid wrapped in columns, with optional pole caps."""
    rows, cols = grid.shape[:2]
    positions = [grid.reshape(-1, 3)]
    tris = [grid_indices(rows, cols, wrap=True)]
    count = rows * cols
    if top is not None:
        positions.append(np.asarray(top, dtype=np.float64)[None])
        tris.append(fan_indices(count, np.arange(cols), reverse=True))
        count += 1
    if bottom is not None:
        positions.append(np.asarray(bottom, dtype=np.float64)[None])
        tris.append(fan_indices(count, np.arange((rows - 1) * cols, rows * cols), reverse=False))
    return np.concatenate(positions), np.concatenate(tris).astype(np.int64)


def density_samples(count: int, density, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """``count`` parameters in [lo, hi] spaced inversely to ``density(t)`` (more samples where it is high)."""
    fine = np.linspace(lo, hi, 2048)
    d = np.asarray(density(fine), dtype=np.float64)
    cumulative = np.concatenate([[0.0], np.cumsum(0.5 * (d[1:] + d[:-1]) * np.diff(fine))])
    cumulative /= cumulative[-1]
    return np.interp(np.linspace(0.0, 1.0, count), cumulative, fine)


def smoothstep(edge0: float, edge1: float, x: np.ndarray) -> np.ndarray:
    """Hermite ramp from 0 at edge0 to 1 at edge1 (either order)."""
    t = np.clip((np.asarray(x, dtype=np.float64) - edge0) / (edge1 - edge0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def superellipse_ring(n: int, power: float = 2.0, phase: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Unit ring (cos-like, sin-like) of ``n`` points; power > 2 squares it off."""
    a = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False) + phase
    c, s = np.cos(a), np.sin(a)
    e = 2.0 / power
    return np.sign(c) * np.abs(c) ** e, np.sign(s) * np.abs(s) ** e


def loft(centers: np.ndarray, axis_u: np.ndarray, axis_v: np.ndarray, radius_u: np.ndarray,
         radius_v: np.ndarray, around: int, power: float = 2.0, cap_start: bool = True,
         cap_end: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """A tube through ``centers`` (K, 3) with elliptic cross-sections spanned by axis_u/axis_v.

    The axes may be one vector each or one per ring; radii are per ring. Rings are ordered so
    that u x v points along the path, which keeps the triangles facing outwards.
    """
    k = len(centers)
    au = np.broadcast_to(np.asarray(axis_u, dtype=np.float64), (k, 3))
    av = np.broadcast_to(np.asarray(axis_v, dtype=np.float64), (k, 3))
    cu, cv = superellipse_ring(around, power)
    grid = (centers[:, None, :] + au[:, None, :] * (radius_u[:, None, None] * cu[None, :, None])
            + av[:, None, :] * (radius_v[:, None, None] * cv[None, :, None]))
    # Columns run u -> v (counter-clockwise about u x v); rows run along the path, so flip the grid
    # rows to keep the outward winding of ``grid_indices``.
    grid = grid[::-1]
    top = centers[-1] if cap_end else None
    bottom = centers[0] if cap_start else None
    return closed_grid(grid, top, bottom)


def profile(t: np.ndarray, knots: list[float], values: list[float]) -> np.ndarray:
    """Smooth (cosine-eased) interpolation of ``values`` at ``knots`` over parameters ``t``."""
    knots_a = np.asarray(knots, dtype=np.float64)
    values_a = np.asarray(values, dtype=np.float64)
    t = np.clip(np.asarray(t, dtype=np.float64), knots_a[0], knots_a[-1])
    seg = np.clip(np.searchsorted(knots_a, t, side="right") - 1, 0, len(knots_a) - 2)
    local = (t - knots_a[seg]) / (knots_a[seg + 1] - knots_a[seg])
    eased = 0.5 - 0.5 * np.cos(np.pi * local)
    return values_a[seg] + (values_a[seg + 1] - values_a[seg]) * eased


def rounded_ends(t: np.ndarray, start: float, end: float) -> np.ndarray:
    """Radius factor that rounds a tube's ends like hemispheres over the first/last fractions."""
    f = np.ones_like(t)
    if start > 0:
        a = np.clip(t / start, 0.0, 1.0)
        f = f * np.sqrt(np.clip(1.0 - (1.0 - a) ** 2, 0.0, 1.0))
    if end > 0:
        b = np.clip((1.0 - t) / end, 0.0, 1.0)
        f = f * np.sqrt(np.clip(1.0 - (1.0 - b) ** 2, 0.0, 1.0))
    return np.maximum(f, 0.02)


def ellipsoid(center: np.ndarray, radii: np.ndarray, rows: int, cols: int,
              rotation: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A UV ellipsoid (poles on local Y) with optional 3x3 rotation."""
    phi = np.linspace(np.pi / 2, -np.pi / 2, rows + 2)[1:-1]
    theta = np.linspace(0.0, 2 * np.pi, cols, endpoint=False)
    ph, th = np.meshgrid(phi, theta, indexing="ij")
    unit = np.stack([np.cos(ph) * np.sin(th), np.sin(ph), np.cos(ph) * np.cos(th)], axis=-1)
    local = unit * np.asarray(radii)
    top = np.array([0.0, radii[1], 0.0])
    bottom = np.array([0.0, -radii[1], 0.0])
    positions, tris = closed_grid(local, top, bottom)
    if rotation is not None:
        positions = positions @ np.asarray(rotation).T
    return positions + np.asarray(center), tris


def rot_x(angle: float) -> np.ndarray:
    """3x3 rotation about X (radians)."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rot_y(angle: float) -> np.ndarray:
    """3x3 rotation about Y (radians)."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rot_z(angle: float) -> np.ndarray:
    """3x3 rotation about Z (radians)."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def mirror_x(part: Part, name: str, label: str, bones: tuple[str, ...]) -> Part:
    """The part mirrored to the other side (x -> -x), with triangles re-wound."""
    positions = part.positions * np.array([-1.0, 1.0, 1.0])
    normals = None if part.normals is None else part.normals * np.array([-1.0, 1.0, 1.0])
    return Part(name, part.material, positions, part.indices[:, ::-1].copy(), label, bones, normals,
                dict(part.extra))
