"""Face parts: eyeballs (sclera, iris, pupil), eyelids with lashes, brows, teeth, tongue, mouth cavity."""

from __future__ import annotations

import numpy as np

from engine.assets.maker.geometry import Part, ellipsoid, grid_indices, loft, profile
from engine.assets.maker.head import HEAD_BONES, MOUTH_W, MOUTH_Y, HeadLayout, eye_center

# Elevation (radians, about the eye centre) of the open lid edges at the middle of the eye.
UPPER_LID_OPEN = 0.50
LOWER_LID_OPEN = -0.40
LID_AZIMUTH = 1.25  # half width of the lids (radians), past the eye corners


def _sphere_cap(radius: float, max_polar: float, rings: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """A cap of a sphere around +Z (polar angle up to ``max_polar``), as positions and triangles."""
    polar = np.linspace(0.0, max_polar, rings + 1)[1:]
    az = np.linspace(0.0, 2 * np.pi, cols, endpoint=False)
    p, a = np.meshgrid(polar, az, indexing="ij")
    grid = radius * np.stack([np.sin(p) * np.cos(a), np.sin(p) * np.sin(a), np.cos(p)], axis=-1)
    positions = grid.reshape(-1, 3)
    tris = grid_indices(rings, cols, wrap=True)
    pole = len(positions)
    ring = np.arange(cols)
    fan = np.stack([np.full(cols, pole), ring, np.roll(ring, -1)], axis=1)
    return np.concatenate([positions, [[0.0, 0.0, radius]]]), np.concatenate([tris, fan]).astype(np.int64)


def eyes(layout: HeadLayout) -> list[Part]:
    """Both eyeballs: a white ball, an iris cap and a pupil cap, each moved by its eye bone."""
    parts = []
    r = layout.eye_radius
    for side, tag, bone in ((1.0, "L", "leftEye"), (-1.0, "R", "rightEye")):
        c = eye_center(layout, side)
        ball, ball_tris = ellipsoid(np.zeros(3), np.array([r, r, r]), 11, 18, rotation=np.array(
            [[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]]))  # poles on Z: a smooth front
        iris, iris_tris = _sphere_cap(r * 1.004, 0.60, 4, 20)
        pupil, pupil_tris = _sphere_cap(r * 1.008, 0.25, 2, 16)
        for name, mat, pts, tris in (("sclera", "sclera", ball, ball_tris), ("iris", "iris", iris, iris_tris),
                                     ("pupil", "lash", pupil, pupil_tris)):
            parts.append(Part(f"{name}{tag}", mat, layout.to_world(pts + c), tris, f"eye{tag}", (bone,)))
    return parts


def lid_edge(az: np.ndarray, open_edge: float) -> np.ndarray:
    """Almond shape: the lid edge elevation falls to 0 towards the corners."""
    return open_edge * np.cos(np.clip(az / 1.05, -1.0, 1.0) * np.pi / 2) ** 0.8


def lids(layout: HeadLayout) -> list[Part]:
    """Upper and lower lids (skin shells around each eyeball) and a lash line on each upper lid."""
    parts = []
    r = layout.eye_radius
    cols = 22
    az = np.linspace(-LID_AZIMUTH, LID_AZIMUTH, cols)
    for side, tag in ((1.0, "L"), (-1.0, "R")):
        c = eye_center(layout, side)
        for which, edge0, far in (("upper", UPPER_LID_OPEN, 1.45), ("lower", LOWER_LID_OPEN, -1.25)):
            edge = lid_edge(az, edge0)
            s = np.linspace(0.0, 1.0, 9)[:, None]
            elev = edge[None, :] + (far - edge[None, :]) * s ** 1.3
            radius = np.full_like(elev, r * 1.075)
            radius[0] = r * 1.012  # the lid margin rolls in towards the ball: the lid has thickness
            radius[1] = r * 1.06
            elev = np.concatenate([edge[None, :] - 0.02, elev[1:]], axis=0) if which == "upper" else elev
            grid = _spherical(radius, elev, az[None, :].repeat(len(elev), 0))
            if which == "lower":
                grid = grid[::-1]
            grid = grid * np.array([side, 1.0, 1.0])
            tris = grid_indices(grid.shape[0], cols, wrap=False)
            if side > 0:  # mirrored grids wind the other way; keep normals facing out of the eye
                tris = tris[:, ::-1]
            label = f"lid{'Up' if which == 'upper' else 'Down'}{tag}"
            pts = grid.reshape(-1, 3) + c
            part = Part(f"{which}Lid{tag}", "skin", layout.to_world(pts), tris, label, HEAD_BONES)
            # Elevation about the eye centre, kept for the blink morphs (1 at the margin, 0 far away).
            part.extra["lid_t"] = np.repeat(1.0 - (s[:, 0] if which == "upper" else s[::-1, 0]), cols)
            parts.append(part)
        # Lashes: a thin dark ribbon on the upper margin, flicking out at the outer corner.
        edge = lid_edge(az, UPPER_LID_OPEN) - 0.02
        k = np.linspace(0.0, 1.0, 3)[:, None]
        outer = np.clip((az[None, :] * side * side) / LID_AZIMUTH, 0.0, 1.0)
        elev = edge[None, :] + 0.10 * k + 0.10 * k * outer ** 2
        radius = r * (1.02 + 0.16 * k) + 0 * elev
        grid = _spherical(radius, elev, az[None, :].repeat(3, 0)) * np.array([side, 1.0, 1.0])
        inside = np.abs(az) < 1.12
        grid = grid[:, inside]
        tris = grid_indices(3, int(inside.sum()), wrap=False)
        if side > 0:
            tris = tris[:, ::-1]
        part = Part(f"lash{tag}", "lash", layout.to_world(grid.reshape(-1, 3) + c), tris, f"lidUp{tag}", HEAD_BONES)
        part.extra["lid_t"] = np.ones(len(part.positions))
        parts.append(part)
    return parts


def _spherical(radius: np.ndarray, elev: np.ndarray, az: np.ndarray) -> np.ndarray:
    """Points at ``radius`` with elevation/azimuth about +Z (azimuth towards +X)."""
    ce = np.cos(elev)
    return np.stack([radius * ce * np.sin(az), radius * np.sin(elev), radius * ce * np.cos(az)], axis=-1)


def brows(layout: HeadLayout, thickness: float = 1.0) -> list[Part]:
    """Two brows: flat tapered strips lying on the brow ridge."""
    parts = []
    k = 16
    t = np.linspace(0.0, 1.0, k)
    x = 0.0125 + (0.0545 - 0.0125) * t
    # A gentle arch (a steep rise from a low inner end reads as a frown).
    y = profile(t, [0.0, 0.45, 1.0], [0.0212, 0.0252, 0.0212])
    half = profile(t, [0.0, 0.3, 1.0], [0.0026, 0.0025, 0.0011]) * thickness
    for side, tag in ((1.0, "L"), (-1.0, "R")):
        xs = x * side
        z = layout.front_z(xs, y) + 0.0009
        centers = np.stack([xs, y, z], axis=1)
        if side > 0:
            pts, tris = loft(centers, np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0]), half,
                             np.full(k, 0.0011), 8, power=2.5)
        else:
            pts, tris = loft(centers, np.array([0.0, 0.0, 1.0]), np.array([0.0, 1.0, 0.0]),
                             np.full(k, 0.0011), half, 8, power=2.5)
        parts.append(Part(f"brow{tag}", "brow", layout.to_world(pts), tris, f"brow{tag}", HEAD_BONES))
    return parts


def mouth_inside(layout: HeadLayout) -> list[Part]:
    """Upper and lower teeth, the tongue and the dark mouth cavity behind the lips."""
    z_lip = float(layout.front_z(0.0, MOUTH_Y))
    parts = []
    for name, label, top, bottom, radius, back in (("teethUpper", "teethUp", 0.0072, -0.0008, 0.0215, 0.0060),
                                                   ("teethLower", "teethDown", -0.0012, -0.0082, 0.0200, 0.0075)):
        a = np.linspace(-1.05, 1.05, 16)
        cz = z_lip - back - radius
        yc = MOUTH_Y + 0.5 * (top + bottom)
        centers = np.stack([radius * np.sin(a), np.full_like(a, yc), cz + radius * np.cos(a)], axis=1)
        radial = np.stack([np.sin(a), np.zeros_like(a), np.cos(a)], axis=1)
        fade = np.clip(1.0 - (np.abs(a) / 1.05) ** 6, 0.25, 1.0)
        pts, tris = loft(centers, np.array([0.0, 1.0, 0.0]), radial, 0.5 * (top - bottom) * fade,
                         np.full(len(a), 0.0022), 8, power=4.0)
        parts.append(Part(name, "sclera", layout.to_world(pts), tris, label, HEAD_BONES))
    pts, tris = ellipsoid(np.array([0.0, MOUTH_Y - 0.0085, z_lip - 0.031]), np.array([0.0165, 0.0055, 0.024]),
                          8, 16)
    parts.append(Part("tongue", "lips", layout.to_world(pts), tris, "tongue", HEAD_BONES))
    pts, tris = ellipsoid(np.array([0.0, MOUTH_Y - 0.002, z_lip - 0.035]), np.array([0.026, 0.0135, 0.031]),
                          10, 18)
    parts.append(Part("mouthCavity", "mouth", layout.to_world(pts), tris, "cavity", HEAD_BONES))
    return parts


def lips(layout: HeadLayout) -> list[Part]:
    """The red of the lips: thin shells on the head skin with smooth outlines, upper and lower."""
    s = np.linspace(-1.0, 1.0, 25)
    t = np.linspace(0.0, 1.0, 6)
    across = np.clip(1.0 - s ** 2, 0.0, 1.0)
    x = s * MOUTH_W
    parts = []
    for name, label, height in (("lipUpper", "lipUp", 0.0080 * across ** 0.55 - 0.0013 * np.exp(-(x / 0.0045) ** 2)),
                                ("lipLower", "lipDown", -0.0100 * across ** 0.6)):
        xs = np.broadcast_to(x[None, :], (len(t), len(s)))
        # The seam row sits a hair inside the mouth line so the two lips never overlap.
        ys = MOUTH_Y + np.sign(height.mean()) * 0.00015 + t[:, None] * height[None, :]
        zs = layout.front_z(xs, ys) + 0.00035 * np.sin(np.pi * np.clip(t[:, None] * 1.6, 0, 1)) + 0.0001
        grid = np.stack([xs, ys, zs], axis=-1)
        tris = grid_indices(len(t), len(s), wrap=False)
        if label == "lipUp":  # rows run upwards here: flip to face outwards
            tris = tris[:, ::-1]
        parts.append(Part(name, "lips", layout.to_world(grid.reshape(-1, 3)), tris, label, HEAD_BONES))
    return parts


def face_parts(layout: HeadLayout) -> list[Part]:
    """Everything on the face mesh apart from the head skin itself."""
    return eyes(layout) + lids(layout) + brows(layout) + lips(layout) + mouth_inside(layout)

