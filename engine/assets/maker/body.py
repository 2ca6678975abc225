"""Body and clothes: neck, torso, arms, legs, shoes and the outfit details (shirt, tie, hood, skirt...)."""

from __future__ import annotations

import numpy as np

from engine.assets.maker.geometry import Part, ellipsoid, grid_indices, loft, profile, rounded_ends
from engine.assets.maker.skeleton import Rig

X, Y, Z = np.eye(3)
TORSO_BONES = ("hips", "spine", "chest", "upperChest", "neck", "leftShoulder", "rightShoulder",
               "leftUpperLeg", "rightUpperLeg")
# Torso cross-sections for a 1.70 m avatar: height, half width, half depth, forward offset.
_TORSO_Y = [0.80, 0.86, 0.95, 1.04, 1.12, 1.22, 1.30, 1.36, 1.40, 1.435, 1.455]
_TORSO_W = [0.030, 0.132, 0.160, 0.148, 0.138, 0.150, 0.162, 0.168, 0.150, 0.085, 0.045]
_TORSO_D = [0.030, 0.088, 0.098, 0.088, 0.086, 0.098, 0.104, 0.094, 0.076, 0.060, 0.045]
_TORSO_Z = [0.000, -0.006, -0.010, -0.004, 0.000, 0.008, 0.010, 0.002, -0.008, -0.012, -0.012]
_POWER = 2.4


def _arm_bones(side: str) -> tuple[str, ...]:
    return (f"{side}Shoulder", f"{side}UpperArm", f"{side}LowerArm", f"{side}Hand", "upperChest")


def _leg_bones(side: str) -> tuple[str, ...]:
    return ("hips", f"{side}UpperLeg", f"{side}LowerLeg", f"{side}Foot")


def torso_front(rig: Rig, build: float, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Forward coordinate of the torso's front surface at world (x, y)."""
    u = rig.unit
    yy = y / u
    hw = profile(yy, _TORSO_Y, _TORSO_W) * build * u
    hd = profile(yy, _TORSO_Y, _TORSO_D) * build ** 0.7 * u
    zc = profile(yy, _TORSO_Y, _TORSO_Z) * u
    ratio = np.clip(np.abs(x) / hw, 0.0, 0.999)
    return zc + hd * (1.0 - ratio ** _POWER) ** (1.0 / _POWER)


def torso(rig: Rig, build: float, material: str, scale: float = 1.0, bottom: float = _TORSO_Y[0],
          top: float = _TORSO_Y[-1], name: str = "torso") -> Part:
    """The torso (or a band of it, ``bottom``..``top`` in 1.70 m units) as a lofted tube."""
    u = rig.unit
    yy = np.linspace(bottom, top, max(6, int(30 * (top - bottom) / (_TORSO_Y[-1] - _TORSO_Y[0]))))
    hw = profile(yy, _TORSO_Y, _TORSO_W) * build * u * scale
    hd = profile(yy, _TORSO_Y, _TORSO_D) * build ** 0.7 * u * scale
    centers = np.stack([np.zeros_like(yy), yy * u, profile(yy, _TORSO_Y, _TORSO_Z) * u], axis=1)
    pts, tris = loft(centers, Z, X, hd, hw, 30, power=_POWER, cap_start=bottom <= _TORSO_Y[0])
    return Part(name, material, pts, tris, "torso", TORSO_BONES)


def neck(rig: Rig, build: float, head_center: np.ndarray) -> Part:
    """The neck: a skin tube from inside the shoulders into the head."""
    u = rig.unit
    t = np.linspace(0.0, 1.0, 10)
    start = np.array([0.0, 1.38 * u, -0.014 * u])
    end = head_center + np.array([0.0, -0.035, -0.012])
    centers = start + (end - start) * t[:, None]
    r = 0.050 * u * build ** 0.5 * profile(t, [0.0, 0.5, 1.0], [1.12, 0.98, 1.0])
    pts, tris = loft(centers, Z, X, r * 1.05, r, 20)
    return Part("neck", "skin", pts, tris, "neck", ("neck", "head", "upperChest"))


def arm(rig: Rig, side: str, build: float, material: str, start: float, end: float, grow: float,
        label: str) -> Part:
    """Part of an arm (x from ``start`` to ``end`` in 1.70 m units) along the T-pose arm line."""
    u = rig.unit
    sx = 1.0 if side == "left" else -1.0
    x = np.linspace(start, end, max(6, int((end - start) / 0.024)))
    knots = [0.08, 0.17, 0.25, 0.43, 0.55, 0.68]
    # Thin where the sleeve starts inside the torso so that its end never pokes above the shoulder line.
    ry = profile(x, knots, [0.036, 0.056, 0.048, 0.039, 0.038, 0.029]) * build * u + grow
    rz = profile(x, knots, [0.046, 0.056, 0.046, 0.040, 0.037, 0.033]) * build * u + grow
    hand_y = rig.pos(f"{side}Hand")[1]
    centers = np.stack([sx * x * u, np.full_like(x, hand_y), np.full_like(x, -0.014 * u)], axis=1)
    t = (x - start) / (end - start)
    round_ = rounded_ends(t, 0.0 if start < 0.12 else 0.08, 0.06)
    if sx > 0:
        pts, tris = loft(centers, Y, Z, ry * round_, rz * round_, 14)
    else:
        pts, tris = loft(centers, Z, Y, rz * round_, ry * round_, 14)
    return Part(f"{side}{label}", material, pts, tris, label, _arm_bones(side))


def leg(rig: Rig, side: str, build: float, material: str, top: float, bottom: float, grow: float,
        flare: float = 0.0) -> Part:
    """A leg (or trouser leg) from y=``top`` down to ``bottom`` (1.70 m units)."""
    u = rig.unit
    sx = 1.0 if side == "left" else -1.0
    y = np.linspace(top, bottom, 24)
    knots = [0.08, 0.10, 0.22, 0.40, 0.52, 0.70, 0.85, 0.97]
    rx = profile(y, knots, [0.036, 0.034, 0.038, 0.054, 0.050, 0.066, 0.078, 0.086]) * build * u + grow
    rz = profile(y, knots, [0.040, 0.036, 0.040, 0.058, 0.052, 0.068, 0.080, 0.086]) * build * u + grow
    rx = rx + flare * np.clip((0.3 - y) / 0.22, 0.0, 1.0)
    rz = rz + flare * np.clip((0.3 - y) / 0.22, 0.0, 1.0)
    x = sx * profile(y, [0.08, 0.5, 0.97], [0.095, 0.092, 0.082]) * u
    centers = np.stack([x, y * u, profile(y, [0.08, 0.5, 0.97], [-0.01, 0.004, 0.0]) * u], axis=1)
    round_ = rounded_ends(np.linspace(0.0, 1.0, len(y)), 0.05, 0.04)
    pts, tris = loft(centers, X, Z, rx * round_, rz * round_, 16)
    return Part(f"{side}Leg{material}", material, pts, tris, "leg", _leg_bones(side))


def shoe(rig: Rig, side: str, material: str) -> Part:
    """A rounded shoe along +Z with a flat sole on y = 0."""
    u = rig.unit
    sx = 1.0 if side == "left" else -1.0
    t = np.linspace(0.0, 1.0, 18)
    z = (-0.065 + 0.245 * t) * u
    half_h = profile(t, [0.0, 0.2, 0.55, 0.85, 1.0], [0.036, 0.046, 0.038, 0.026, 0.020]) * u
    half_w = profile(t, [0.0, 0.2, 0.6, 0.9, 1.0], [0.034, 0.040, 0.046, 0.040, 0.030]) * u
    round_ = rounded_ends(t, 0.10, 0.12)
    centers = np.stack([np.full_like(t, sx * 0.098 * u), half_h, z], axis=1)
    pts, tris = loft(centers, X, Y, half_w * round_, half_h * round_, 16, power=2.6)
    pts[:, 1] = np.maximum(pts[:, 1], 0.0)  # a flat sole on the floor
    return Part(f"{side}Shoe", material, pts, tris, "shoe", (f"{side}Foot", f"{side}Toes", f"{side}LowerLeg"))


def _chest_patch(rig: Rig, build: float, name: str, material: str, top: float, bottom: float,
                 width_top: float, width_bottom: float, lift: float) -> Part:
    """A flat panel lying on the chest (shirt front, tie, scarf, pocket), in 1.70 m units."""
    u = rig.unit
    rows, cols = 14, 9
    y = np.linspace(top, bottom, rows)[:, None] * u
    half = np.linspace(width_top, width_bottom, rows)[:, None] * u
    x = half * np.linspace(-1.0, 1.0, cols)[None, :]
    yy = np.broadcast_to(y, x.shape)
    z = torso_front(rig, build, x, yy) + lift * u
    grid = np.stack([x, yy, z], axis=-1)
    tris = grid_indices(rows, cols, wrap=False)
    return Part(name, material, grid.reshape(-1, 3), tris, "torso", TORSO_BONES)


def outfit_parts(rig: Rig, outfit: str, build: float, head_center: np.ndarray) -> list[Part]:
    """Neck, torso, arms, legs, shoes and details for ``outfit`` (materials top/accent/bottom/tie)."""
    # The top (jacket, shirt, hoodie) ends at the hips over the trousers' waist band.
    parts = [neck(rig, build, head_center), torso(rig, build, "top", 1.025, 0.93),
             torso(rig, build, "top" if outfit == "dress" else "bottom", 1.0, _TORSO_Y[0], 1.02, "pelvis")]
    long_sleeves = outfit in ("suit", "hoodie", "uniform")
    for side in ("left", "right"):
        sx = 1.0 if side == "left" else -1.0
        u = rig.unit
        pts, tris = ellipsoid(np.array([sx * 0.160 * u, 1.372 * u, -0.014 * u]),
                              np.array([0.068, 0.062, 0.064]) * build * u, 8, 12)
        parts.append(Part(f"{side}Deltoid", "top", pts, tris, "torso", _arm_bones(side)))
        if long_sleeves:
            parts.append(arm(rig, side, build, "top", 0.08, 0.652, 0.006, "Sleeve"))
            parts.append(arm(rig, side, build, "skin", 0.60, 0.690, 0.0, "Wrist"))
            if outfit != "hoodie":
                parts.append(arm(rig, side, build, "accent", 0.628, 0.660, 0.004, "Cuff"))
        else:
            parts.append(arm(rig, side, build, "top", 0.08, 0.30 if outfit == "shirt" else 0.25, 0.010, "Sleeve"))
            parts.append(arm(rig, side, build, "skin", 0.14, 0.690, 0.0, "Arm"))
        if outfit == "dress":
            parts.append(leg(rig, side, build * 0.93, "skin", 0.80, 0.10, 0.0))
        else:
            parts.append(leg(rig, side, build, "bottom", 0.99, 0.075, 0.006, flare=0.006))
        parts.append(shoe(rig, side, "shoes"))
    if outfit in ("suit", "uniform"):
        parts.append(_chest_patch(rig, build, "shirtFront", "shirt", 1.43, 1.20, 0.046, 0.004, 0.0045))
        if outfit == "suit":
            parts.append(_chest_patch(rig, build, "tie", "accent", 1.42, 1.17, 0.010, 0.014, 0.0065))
        else:
            parts.append(_chest_patch(rig, build, "scarf", "accent", 1.44, 1.33, 0.050, 0.006, 0.0045))
            parts.append(_badge(rig, build))
    if outfit == "shirt":
        parts.append(_collar(rig, build, "accent", 0.008))
    if outfit == "hoodie":
        parts.append(_chest_patch(rig, build, "pocket", "accent", 1.10, 0.98, 0.085, 0.105, 0.004))
        parts.append(_collar(rig, build, "top", 0.022))
        for sx in (1.0, -1.0):
            t = np.linspace(0.0, 1.0, 8)
            x = np.full_like(t, sx * 0.032 * rig.unit)
            y = (1.42 - 0.16 * t) * rig.unit
            centers = np.stack([x, y, torso_front(rig, build, x, y) + 0.005], axis=1)
            pts, tris = loft(centers[::-1], X, Z, np.full(8, 0.0035), np.full(8, 0.0035), 8)
            parts.append(Part("drawstring", "accent", pts, tris, "torso", TORSO_BONES))
    if outfit == "dress":
        u = rig.unit
        y = np.linspace(0.47, 1.03, 16)
        hw = profile(y, [0.47, 0.8, 1.03], [0.235, 0.19, 0.148]) * build * u
        hd = profile(y, [0.47, 0.8, 1.03], [0.185, 0.14, 0.094]) * build ** 0.7 * u
        centers = np.stack([np.zeros_like(y), y * u, np.full_like(y, -0.006 * u)], axis=1)
        pts, tris = loft(centers, Z, X, hd, hw, 36, power=2.2, cap_start=False)
        parts.append(Part("skirt", "top", pts, tris, "skirt", ("hips", "spine", "leftUpperLeg", "rightUpperLeg")))
        y = np.linspace(1.02, 1.06, 4)
        centers = np.stack([np.zeros_like(y), y * u, profile(y, _TORSO_Y, _TORSO_Z) * u], axis=1)
        hw = profile(y, _TORSO_Y, _TORSO_W) * build * u + 0.004
        hd = profile(y, _TORSO_Y, _TORSO_D) * build ** 0.7 * u + 0.004
        pts, tris = loft(centers, Z, X, hd, hw, 36, power=_POWER)
        parts.append(Part("belt", "accent", pts, tris, "torso", TORSO_BONES))
    return parts


def _collar(rig: Rig, build: float, material: str, radius: float) -> Part:
    """A rolled collar (or hood) ring around the base of the neck."""
    u = rig.unit
    a = np.linspace(0.0, 2 * np.pi, 40, endpoint=False)
    ring_r = np.array([0.068, 0.060]) * u * build ** 0.5
    centers = np.stack([ring_r[0] * np.sin(a), np.full_like(a, 1.425 * u) + 0.012 * np.cos(a) * u,
                        -0.014 * u + ring_r[1] * np.cos(a) - radius * 0.6 * (np.cos(a) < 0)], axis=1)
    centers = np.concatenate([centers, centers[:1]])
    tangent = np.gradient(centers, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    outward = np.cross(Y, tangent)
    r = np.full(len(centers), radius * u) * (1.0 + 0.8 * (np.cos(np.append(a, a[0])) < -0.3))
    pts, tris = loft(centers, Y, outward * -1.0, r, r, 10, cap_start=False, cap_end=False)
    return Part("collar", material, pts, tris, "torso", TORSO_BONES)


def _badge(rig: Rig, build: float) -> Part:
    """A small name badge on the uniform's left chest."""
    u = rig.unit
    x0 = 0.085 * u
    pts, tris = ellipsoid(np.zeros(3), np.array([0.026, 0.010, 0.003]) * u, 4, 12)
    y0 = 1.30 * u
    z0 = float(torso_front(rig, build, np.array(x0), np.array(y0)))
    return Part("badge", "accent", pts + np.array([x0, y0, z0 + 0.002]), tris, "torso", TORSO_BONES)
