"""Hands: a palm and five fingers (three segments each, the thumb on a metacarpal), in the T-pose."""

from __future__ import annotations

import numpy as np

from engine.assets.maker.geometry import Part, loft, profile, rounded_ends
from engine.assets.maker.skeleton import FINGERS, THUMB_DIR, THUMB_LENGTHS, THUMB_RADIUS, Rig

X, Y, Z = np.eye(3)


def _tube_along(start: np.ndarray, direction: np.ndarray, length: float, radii: np.ndarray,
                flat: float, rows: int, around: int) -> tuple[np.ndarray, np.ndarray]:
    """A rounded tube from ``start`` along ``direction`` (unit), radii per ring, a little flattened."""
    t = np.linspace(0.0, 1.0, rows)
    centers = start + direction * (t * length)[:, None]
    # Up-ish axis orthogonal to the direction; the tube is flattened along it (fingers are not round).
    up = Y - direction * float(direction @ Y)
    up /= np.linalg.norm(up)
    side_axis = np.cross(direction, up)
    r = radii * rounded_ends(t, 0.10, 0.22)
    return loft(centers, up, side_axis, r * flat, r, around)


def hand(rig: Rig, side: str) -> list[Part]:
    """The palm, four fingers and the thumb of one hand, each weighted to its own bones."""
    u = rig.unit
    sx = 1.0 if side == "left" else -1.0
    mirror = np.array([sx, 1.0, 1.0])
    wrist = rig.pos(f"{side}Hand")
    parts = []
    # Palm: from just inside the wrist to the knuckles, wider than thick.
    t = np.linspace(0.0, 1.0, 10)
    x = (-0.012 + 0.104 * t) * u
    centers = wrist + np.stack([sx * x, np.full_like(t, 0.001 * u), np.full_like(t, 0.0)], axis=1)
    half_w = profile(t, [0.0, 0.25, 0.8, 1.0], [0.028, 0.040, 0.043, 0.040]) * u
    half_h = profile(t, [0.0, 0.3, 1.0], [0.021, 0.016, 0.0125]) * u
    round_ = rounded_ends(t, 0.08, 0.12)
    if sx > 0:
        pts, tris = loft(centers, Y, Z, half_h * round_, half_w * round_, 14, power=2.6)
    else:
        pts, tris = loft(centers, Z, Y, half_w * round_, half_h * round_, 14, power=2.6)
    bones = (f"{side}Hand", f"{side}LowerArm", f"{side}IndexProximal", f"{side}MiddleProximal",
             f"{side}RingProximal", f"{side}LittleProximal", f"{side}ThumbMetacarpal")
    parts.append(Part(f"{side}Palm", "skin", pts, tris, "hand", bones))
    for finger, (base, length, radius) in FINGERS.items():
        start = wrist + (base - np.array([0.010, 0.0, 0.0])) * mirror * u
        direction = X * sx
        radii = profile(np.linspace(0.0, 1.0, 10), [0.0, 0.5, 1.0], [radius, radius * 0.9, radius * 0.78]) * u
        pts, tris = _tube_along(start, direction, (length + 0.010) * u, radii, 0.85, 10, 8)
        bones = (f"{side}Hand", f"{side}{finger}Proximal", f"{side}{finger}Intermediate", f"{side}{finger}Distal")
        parts.append(Part(f"{side}{finger}", "skin", pts, tris, "finger", bones))
    start = rig.pos(f"{side}ThumbMetacarpal") - THUMB_DIR * mirror * 0.008 * u
    length = (sum(THUMB_LENGTHS) + 0.008) * u
    radii = profile(np.linspace(0.0, 1.0, 12), [0.0, 0.35, 1.0],
                    [THUMB_RADIUS * 1.25, THUMB_RADIUS, THUMB_RADIUS * 0.82]) * u
    direction = THUMB_DIR * mirror
    pts, tris = _tube_along(start, direction / np.linalg.norm(direction), length, radii, 0.85, 12, 8)
    bones = (f"{side}Hand", f"{side}ThumbMetacarpal", f"{side}ThumbProximal", f"{side}ThumbDistal")
    parts.append(Part(f"{side}Thumb", "skin", pts, tris, "finger", bones))
    return parts
