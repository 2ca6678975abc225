"""Simple solids for virtual sets (boxes, bevelled boxes, cylinders, rings), merged per material."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import ConvexHull

from engine.assets.model import AvatarAsset, Material, Mesh, Node, Primitive


def yaw(degrees: float) -> np.ndarray:
    """Rotation matrix about +Y (Y up)."""
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def pitch(degrees: float) -> np.ndarray:
    """Rotation matrix about +X."""
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def roll(degrees: float) -> np.ndarray:
    """Rotation matrix about +Z."""
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def align_y(direction: np.ndarray) -> np.ndarray:
    """The rotation matrix taking +Y onto ``direction`` (shortest arc)."""
    d = np.asarray(direction, dtype=np.float64)
    d = d / max(float(np.linalg.norm(d)), 1e-12)
    y = np.array([0.0, 1.0, 0.0])
    axis = np.cross(y, d)
    s, c = float(np.linalg.norm(axis)), float(y @ d)
    if s < 1e-9:
        return np.eye(3) if c > 0 else np.diag([1.0, -1.0, -1.0])
    k = axis / s
    kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + s * kx + (1.0 - c) * (kx @ kx)  # Rodrigues


def _box_parts() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A unit cube (-0.5..0.5): 24 vertices (flat normals), 12 counter-clockwise triangles."""
    positions, normals, tris = [], [], []
    for axis in range(3):
        for sign in (-1.0, 1.0):
            n = np.zeros(3)
            n[axis] = sign
            u = np.zeros(3)
            v = np.zeros(3)
            u[(axis + 1) % 3] = 1.0
            v[(axis + 2) % 3] = 1.0
            if sign < 0:  # keep the winding counter-clockwise seen from outside
                u, v = v, u
            base = len(positions)
            for du, dv in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
                positions.append(0.5 * n + 0.5 * du * u + 0.5 * dv * v)
                normals.append(n)
            tris += [(base, base + 1, base + 2), (base, base + 2, base + 3)]
    return np.array(positions), np.array(normals), np.array(tris)


_BOX = _box_parts()


@dataclass
class SetBuilder:
    """Collects solids per material; :meth:`build` makes one mesh (and node) per material."""

    materials: list[Material] = field(default_factory=list)
    parts: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = field(default_factory=dict)

    def material(self, name: str, rgb: tuple[float, float, float], *, roughness: float = 0.6,
                 metallic: float = 0.0, emissive: float = 0.0) -> int:
        """Add a material (``emissive`` scales the base colour into the emissive colour)."""
        colour = np.array([*rgb, 1.0])
        self.materials.append(Material(name, base_color=colour, metallic=metallic, roughness=roughness,
                                       emissive=np.array(rgb) * emissive))
        return len(self.materials) - 1

    def add(self, mat: int, positions: np.ndarray, normals: np.ndarray, tris: np.ndarray) -> None:
        """Add raw triangles (positions/normals (N, 3), counter-clockwise triangles (M, 3))."""
        self.parts.setdefault(mat, []).append((positions, normals, tris))

    def box(self, mat: int, centre: tuple[float, float, float], size: tuple[float, float, float],
            rotation: np.ndarray | None = None) -> None:
        """An axis-aligned box of ``size`` at ``centre``, optionally rotated about its centre."""
        pos, nrm, tris = _BOX
        r = np.eye(3) if rotation is None else rotation
        self.add(mat, (pos * np.array(size)) @ r.T + np.array(centre), nrm @ r.T, tris)

    def bevel_box(self, mat: int, centre: tuple[float, float, float], size: tuple[float, float, float],
                  bevel: float = 0.02, rotation: np.ndarray | None = None) -> None:
        """A box with chamfered edges (the convex hull of three inset boxes; flat shaded)."""
        half = np.array(size) / 2.0
        b = min(bevel, float(half.min()) * 0.9)
        corners = np.array([(x, y, z) for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], dtype=np.float64)
        points = np.concatenate([corners * (half - b * np.array(mask)) for mask in
                                 ((0, 1, 1), (1, 0, 1), (1, 1, 0))])
        hull = ConvexHull(points)
        tris = hull.simplices.copy()
        tri_pos = points[tris]
        normal = np.cross(tri_pos[:, 1] - tri_pos[:, 0], tri_pos[:, 2] - tri_pos[:, 0])
        flip = np.einsum("ij,ij->i", normal, hull.equations[:, :3]) < 0
        tris[flip] = tris[flip][:, ::-1]
        r = np.eye(3) if rotation is None else rotation
        flat = points[tris].reshape(-1, 3)
        normals = np.repeat(hull.equations[:, :3], 3, axis=0)
        self.add(mat, flat @ r.T + np.array(centre), normals @ r.T, np.arange(len(flat)).reshape(-1, 3))

    def cylinder(self, mat: int, base: tuple[float, float, float], radius: float, height: float,
                 segments: int = 24, caps: bool = True, rotation: np.ndarray | None = None,
                 top_radius: float | None = None) -> None:
        """A vertical cylinder (or cone frustum) standing on ``base``, smooth sides, flat caps."""
        top_r = radius if top_radius is None else top_radius
        a = np.linspace(0.0, 2.0 * math.pi, segments, endpoint=False)
        ring = np.stack([np.sin(a), np.zeros_like(a), np.cos(a)], axis=1)
        slope = (radius - top_r) / max(height, 1e-9)
        side_n = ring + np.array([0.0, slope, 0.0])
        side_n /= np.linalg.norm(side_n, axis=1, keepdims=True)
        pos = [ring * radius, ring * top_r + np.array([0.0, height, 0.0])]
        nrm = [side_n, side_n]
        i = np.arange(segments)
        j = (i + 1) % segments
        tris = [np.stack([i, j, j + segments], 1), np.stack([i, j + segments, i + segments], 1)]
        count = 2 * segments
        if caps:
            for y, r, n, flip in ((0.0, radius, -1.0, True), (height, top_r, 1.0, False)):
                centre_index = count + segments
                pos += [ring * r + np.array([0.0, y, 0.0]), np.array([[0.0, y, 0.0]])]
                nrm += [np.tile([0.0, n, 0.0], (segments, 1)), np.array([[0.0, n, 0.0]])]
                fan = np.stack([np.full(segments, centre_index), count + i, count + j], 1)
                tris.append(fan[:, ::-1] if flip else fan)
                count += segments + 1
        r_m = np.eye(3) if rotation is None else rotation
        self.add(mat, np.concatenate(pos) @ r_m.T + np.array(base), np.concatenate(nrm) @ r_m.T,
                 np.concatenate(tris))

    def tube(self, mat: int, start: tuple[float, float, float], end: tuple[float, float, float],
             radius: float, segments: int = 8) -> None:
        """A thin cylinder from ``start`` to ``end`` (truss chords, poles, hangers)."""
        p0, p1 = np.array(start, dtype=np.float64), np.array(end, dtype=np.float64)
        length = float(np.linalg.norm(p1 - p0))
        self.cylinder(mat, tuple(p0), radius, length, segments, caps=False, rotation=align_y(p1 - p0))

    def ring(self, mat: int, centre: tuple[float, float, float], inner: float, outer: float,
             segments: int = 64) -> None:
        """A flat annulus facing up (floor inlays)."""
        a = np.linspace(0.0, 2.0 * math.pi, segments, endpoint=False)
        ring = np.stack([np.sin(a), np.zeros_like(a), np.cos(a)], axis=1)
        pos = np.concatenate([ring * inner, ring * outer]) + np.array(centre)
        i = np.arange(segments)
        j = (i + 1) % segments
        tris = np.concatenate([np.stack([i, j + segments, j], 1), np.stack([i, i + segments, j + segments], 1)])
        self.add(mat, pos, np.tile([0.0, 1.0, 0.0], (len(pos), 1)), tris)

    def build(self, name: str, has_floor: bool) -> AvatarAsset:
        """The set as a static asset: one node and mesh per material (no skin, no morphs)."""
        asset = AvatarAsset(path=None, generator=f"persona.sets:{name} floor={int(has_floor)}")
        root = Node(name)
        asset.nodes.append(root)
        asset.roots.append(0)
        asset.materials = list(self.materials)
        for mat in sorted(self.parts):
            chunks = self.parts[mat]
            offsets = np.cumsum([0] + [len(p) for p, _, _ in chunks[:-1]])
            positions = np.concatenate([p for p, _, _ in chunks]).astype(np.float32)
            normals = np.concatenate([n for _, n, _ in chunks]).astype(np.float32)
            normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
            indices = np.concatenate([t + o for (_, _, t), o in zip(chunks, offsets, strict=True)]).astype(np.uint32)
            label = self.materials[mat].name
            asset.meshes.append(Mesh(label, [Primitive(positions, indices.reshape(-1, 3), normals, material=mat)]))
            asset.nodes.append(Node(label, parent=0, mesh=len(asset.meshes) - 1))
            root.children.append(len(asset.nodes) - 1)
        return asset
