"""Hair styles: a shell over the scalp with a shaped hairline, optional curtains, a ponytail or a bun."""

from __future__ import annotations

import numpy as np

from engine.assets.maker.geometry import (
    Part,
    ellipsoid,
    fan_indices,
    grid_indices,
    loft,
    profile,
    rot_x,
    smoothstep,
)
from engine.assets.maker.head import HeadLayout

HAIR_BONES = ("head", "neck")
# Where the scalp coverage ends (head-unit y) at azimuths 0 (forehead) .. pi (nape).
_HAIRLINE_AZ = [0.0, 0.6, 1.15, 1.45, 1.75, 2.3, np.pi]
_HAIRLINES = {
    "short": [0.050, 0.046, 0.030, 0.004, 0.010, -0.040, -0.052],
    "buzz": [0.052, 0.047, 0.030, 0.006, 0.012, -0.036, -0.048],
    "bob": [0.038, 0.036, 0.028, 0.010, 0.012, -0.030, -0.040],
    "long": [0.052, 0.048, 0.032, 0.012, 0.014, -0.030, -0.040],
    "ponytail": [0.054, 0.049, 0.032, 0.006, 0.012, -0.040, -0.050],
    "bun": [0.054, 0.049, 0.032, 0.006, 0.012, -0.040, -0.050],
}
# Curtain ends (head-unit y) where the hair falls below the scalp; NaN-free: equal to the hairline = none.
_DROPS = {
    "bob": ([0.0, 0.75, 1.25, np.pi], [None, None, -0.082, -0.088]),
    "long": ([0.0, 0.9, 1.5, 2.2, np.pi], [None, None, -0.10, -0.26, -0.30]),
}
# Extra volume (head units) above the forehead and over the temples, so short styles are not a skull cap.
_VOLUME = {"short": (0.009, 0.0095), "buzz": (0.0, 0.0), "bob": (0.006, 0.0055), "long": (0.004, 0.0035),
           "ponytail": (0.004, 0.0035), "bun": (0.004, 0.0035)}
_THICKNESS = {"short": (0.009, 0.009), "buzz": (0.0022, 0.0012), "bob": (0.010, 0.008),
              "long": (0.009, 0.007), "ponytail": (0.0055, 0.004), "bun": (0.0055, 0.004)}


def _drop(style: str, az: np.ndarray, hairline: np.ndarray) -> np.ndarray:
    """Curtain end per column (head-unit y); equal to a bit under the hairline where there is none."""
    if style not in _DROPS:
        return hairline - 0.004
    knots, values = _DROPS[style]
    filled = [v if v is not None else 0.2 for v in values]
    drop = profile(az, knots, filled)
    return np.minimum(drop, hairline - 0.004)


def hair(layout: HeadLayout, style: str) -> list[Part]:
    """The hair parts for ``style`` (one of params.HAIR_STYLES)."""
    cols, scalp_rows, drape_rows = 48, 15, 10 if style in _DROPS else 2
    theta = np.linspace(-np.pi, np.pi, cols, endpoint=False)
    az = np.abs(theta)
    hairline = profile(az, _HAIRLINE_AZ, _HAIRLINES[style])
    phi_end = np.arcsin(np.clip(hairline / layout.ry, -1.0, 1.0))
    s = np.linspace(0.0, 1.0, scalp_rows + 1)[1:][:, None]
    phi = np.pi / 2 + (phi_end[None, :] - np.pi / 2) * s
    th = np.broadcast_to(theta[None, :], phi.shape)
    scalp = layout.surface(th, phi)
    top_thick, side_thick = _THICKNESS[style]
    thick = side_thick + (top_thick - side_thick) * np.clip(np.sin(phi), 0.0, 1.0)
    # A fringe is a little fuller at the front; long styles puff out at the crown.
    thick = thick * (1.0 + 0.25 * np.exp(-(theta[None, :] / 0.5) ** 2) * (style in ("short", "bob")))
    vol_front, vol_sides = _VOLUME[style]
    # Lift over the forehead (not at the crown, which would point the silhouette) and fuller upper sides.
    front = np.exp(-(theta[None, :] / 0.95) ** 2 - ((phi - 0.58) / 0.38) ** 2)
    sides = np.exp(-((az[None, :] - 1.5) / 0.75) ** 2 - ((phi - 0.72) / 0.50) ** 2)
    edge = 0.55 + 0.45 * smoothstep(1.0, 0.6, s)  # thinner towards the hairline, like a tapered cut
    extra = (vol_front * front + vol_sides * sides) * edge
    thick = thick + extra
    radial = scalp / np.linalg.norm(scalp, axis=-1, keepdims=True)
    shell = scalp + radial * thick[..., None] + radial * 0.0015
    # Curtains: from the last scalp ring straight down (flaring away from the back and shoulders).
    end = shell[-1]
    drop = _drop(style, az, hairline)
    k = np.linspace(0.0, 1.0, drape_rows + 1)[1:][:, None]
    depth = np.maximum(end[None, :, 1] - drop[None, :], 0.004) * k
    flare = np.stack([end[:, 0] * 0.25, np.zeros(cols), end[:, 2] * 0.35], axis=-1) / 0.09
    curtain = end[None] + np.array([0.0, -1.0, 0.0]) * depth[..., None] + flare[None] * depth[..., None] ** 1.2
    rows = np.concatenate([shell, curtain], axis=0)
    # Roll the free edge back towards the head so the hair reads as having thickness.
    inward = rows[-1] - radial[-1] * (side_thick + 0.003 + extra[-1][:, None])
    inward[:, 1] += 0.002
    rows = np.concatenate([rows, inward[None]], axis=0)
    positions = rows.reshape(-1, 3)
    tris = grid_indices(rows.shape[0], cols, wrap=True)
    # Columns run from -pi (back) through 0 (front): that is towards +X at the front, as grid_indices expects.
    pole = np.array([[0.0, layout.ry + top_thick + 0.0015, -0.004]])
    tris = np.concatenate([tris, fan_indices(len(positions), np.arange(cols), reverse=True)])
    parts = [Part("hair", "hair", layout.to_world(np.concatenate([positions, pole])), tris, "hair", HAIR_BONES)]
    if style == "ponytail":
        t = np.linspace(0.0, 1.0, 14)
        centers = np.stack([np.zeros_like(t), 0.035 - 0.23 * t ** 1.3, -layout.rz - 0.012 - 0.05 * np.sin(t * 2.2)],
                           axis=1)
        radius = profile(t, [0.0, 0.08, 0.3, 1.0], [0.013, 0.021, 0.024, 0.004])
        pts, tris = loft(centers[::-1], np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]),
                         radius[::-1] * 1.1, radius[::-1], 12)
        parts.append(Part("ponytail", "hair", layout.to_world(pts), tris, "hair", HAIR_BONES))
        pts, tris = ellipsoid(np.array([0.0, 0.036, -layout.rz - 0.010]), np.array([0.016, 0.007, 0.016]), 6, 12)
        parts.append(Part("hairTie", "hairTie", layout.to_world(pts), tris, "hair", HAIR_BONES))
    if style == "bun":
        pts, tris = ellipsoid(np.array([0.0, 0.062, -0.070]), np.array([0.038, 0.034, 0.036]), 12, 20,
                              rotation=rot_x(-0.7))
        parts.append(Part("bun", "hair", layout.to_world(pts), tris, "hair", HAIR_BONES))
    return parts
