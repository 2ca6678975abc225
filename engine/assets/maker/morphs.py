"""Face morph targets: the 52 ARKit blendshapes and 5 visemes as smooth displacement fields."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.assets.maker.face import LOWER_LID_OPEN, UPPER_LID_OPEN, lid_edge
from engine.assets.maker.geometry import smoothstep
from engine.assets.maker.head import EYE_X, EYE_Y, MOUTH_W, MOUTH_Y, HeadLayout, eye_center
from engine.assets.model import ARKIT_BLENDSHAPES

MIN_DELTA = 4e-4  # metres; smaller deltas are dropped so every target stays local


@dataclass(slots=True)
class FacePool:
    """All face-mesh vertices in head units, with the region label and helpers each vertex carries."""

    q: np.ndarray  # (N, 3) head units
    label: np.ndarray  # (N,) str
    twin: np.ndarray  # (N,) bool: lower side of the mouth slit
    lid_t: np.ndarray  # (N,) 1 at a lid margin, 0 where the lid meets the skin
    layout: HeadLayout

    def is_(self, *labels: str) -> np.ndarray:
        """1.0 where the vertex label is one of ``labels``."""
        return np.isin(self.label, labels).astype(np.float64)


def _rotation(q: np.ndarray, pivot: np.ndarray, axis: str, angle: np.ndarray) -> np.ndarray:
    """Displacement of rotating points about an axis through ``pivot`` by per-point angles."""
    rel = q - pivot
    c, s = np.cos(angle), np.sin(angle)
    out = rel.copy()
    if axis == "x":
        out[:, 1] = c * rel[:, 1] - s * rel[:, 2]
        out[:, 2] = s * rel[:, 1] + c * rel[:, 2]
    else:
        out[:, 0] = c * rel[:, 0] + s * rel[:, 2]
        out[:, 2] = -s * rel[:, 0] + c * rel[:, 2]
    return out - rel


def _blob(q: np.ndarray, center: tuple[float, float, float], radii: tuple[float, float, float]) -> np.ndarray:
    """Gaussian falloff (1 at ``center``)."""
    d = (q - np.asarray(center)) / np.asarray(radii)
    return np.exp(-np.einsum("nj,nj->n", d, d))


def _side(q: np.ndarray, side: float) -> np.ndarray:
    """0 on the other half of the face, ramping to 1 just past the midline."""
    return smoothstep(0.0, 0.008, q[:, 0] * side)


class _Fields:
    """Shared regions of one face: jaw weight, lip halves, mouth corners."""

    def __init__(self, pool: FacePool) -> None:
        self.p = pool
        q = pool.q
        x, y, z = q[:, 0], q[:, 1], q[:, 2]
        self.skin = pool.is_("head", "lipUp", "lipDown")
        hard = np.where(pool.twin | (y < MOUTH_Y - 1e-7), 1.0, 0.0)
        hard = np.where(pool.label == "lipDown", 1.0, np.where(pool.label == "lipUp", 0.0, hard))
        soft = smoothstep(MOUTH_Y + 0.003, MOUTH_Y - 0.014, y)
        corner = smoothstep(MOUTH_W * 0.8, MOUTH_W * 1.3, np.abs(x))
        lower = (1.0 - corner) * hard + corner * soft
        face = smoothstep(-0.02, 0.045, z) * smoothstep(0.075, 0.045, np.abs(x))
        self.lower = lower
        self.upper = (1.0 - lower) * self.skin
        self.jaw = (lower * face * self.skin + pool.is_("teethDown", "tongue")
                    + pool.is_("cavity") * smoothstep(MOUTH_Y + 0.004, MOUTH_Y - 0.012, y))
        z_lip = float(pool.layout.front_z(0.0, MOUTH_Y))
        self.z_lip = z_lip
        self.mouth = _blob(q, (0.0, MOUTH_Y, z_lip), (0.028, 0.016, 0.04)) * self.skin
        self.lips = _blob(q, (0.0, MOUTH_Y, z_lip), (0.026, 0.011, 0.03)) * self.skin

    def corner(self, side: float) -> np.ndarray:
        """Falloff around one mouth corner."""
        q = self.p.q
        return _blob(q, (MOUTH_W * side, MOUTH_Y, self.z_lip - 0.01), (0.017, 0.015, 0.05)) * self.skin * _side(q, side)


def _vec(weight: np.ndarray, dx: float = 0.0, dy: float = 0.0, dz: float = 0.0) -> np.ndarray:
    return weight[:, None] * np.array([dx, dy, dz])


def _lid_angle(pool: FacePool, side: float) -> np.ndarray:
    """Per-vertex rotation that brings an upper-lid margin down to the lower lid's edge."""
    c = eye_center(pool.layout, side)
    rel = pool.q - c
    az = np.arctan2(rel[:, 0] * side, rel[:, 2])
    gap = lid_edge(az, UPPER_LID_OPEN) - lid_edge(az, LOWER_LID_OPEN) * 0.75 + 0.02
    return gap * pool.lid_t ** 0.8


def _eye_fields(f: _Fields, side: float, tag: str) -> dict[str, np.ndarray]:
    p = f.p
    q = p.q
    c = eye_center(p.layout, side)
    up_lid = p.is_(f"lidUp{tag}")
    low_lid = p.is_(f"lidDown{tag}")
    ball = p.is_(f"eye{tag}")
    above = _blob(q, (EYE_X * side, EYE_Y + 0.014, c[2] + 0.01), (0.018, 0.009, 0.03)) * p.is_("head") * _side(q, side)
    below = _blob(q, (EYE_X * side, EYE_Y - 0.02, c[2] + 0.01), (0.02, 0.011, 0.03)) * p.is_("head") * _side(q, side)
    lid_angle = _lid_angle(p, side)
    name = "Left" if side > 0 else "Right"
    inward, outward = (-0.42, 0.42) if side > 0 else (0.42, -0.42)
    return {
        f"eyeBlink{name}": (_rotation(q, c, "x", lid_angle * up_lid) + _rotation(q, c, "x", -0.08 * p.lid_t * low_lid)
                            + _vec(above, dy=-0.0025)),
        f"eyeLookDown{name}": _rotation(q, c, "x", 0.38 * ball) + _rotation(q, c, "x", 0.22 * p.lid_t * up_lid),
        f"eyeLookIn{name}": _rotation(q, c, "y", inward * ball),
        f"eyeLookOut{name}": _rotation(q, c, "y", outward * ball),
        f"eyeLookUp{name}": _rotation(q, c, "x", -0.34 * ball) + _rotation(q, c, "x", -0.10 * p.lid_t * up_lid),
        f"eyeSquint{name}": (_rotation(q, c, "x", -0.20 * p.lid_t * low_lid) + _rotation(q, c, "x", 0.10 * p.lid_t * up_lid)
                             + _vec(below, dy=0.0025)),
        f"eyeWide{name}": (_rotation(q, c, "x", -0.22 * p.lid_t * up_lid) + _rotation(q, c, "x", 0.07 * p.lid_t * low_lid)
                           + _vec(above, dy=0.002)),
    }


def arkit_fields(pool: FacePool) -> dict[str, np.ndarray]:
    """Displacements (N, 3, head units) for every ARKit blendshape."""
    f = _Fields(pool)
    q = pool.q
    x = q[:, 0]
    out: dict[str, np.ndarray] = {}
    out.update(_eye_fields(f, 1.0, "L"))
    out.update(_eye_fields(f, -1.0, "R"))
    pivot = np.array([0.0, -0.012, -0.02])
    out["jawOpen"] = _rotation(q, pivot, "x", 0.30 * f.jaw)
    out["jawForward"] = _vec(f.jaw, dz=0.006)
    out["jawLeft"] = _vec(f.jaw, dx=0.007)
    out["jawRight"] = _vec(f.jaw, dx=-0.007)
    lips_low = f.lips * f.lower
    lips_up = f.lips * f.upper
    out["mouthClose"] = _vec(lips_low, dy=0.005, dz=0.0015) + _vec(lips_up, dy=-0.002)
    out["mouthFunnel"] = (_vec(f.mouth, dz=0.006) + f.mouth[:, None] * np.stack([-0.25 * x, 0 * x, 0 * x], 1)
                          + _vec(lips_up, dy=0.002) + _vec(lips_low, dy=-0.003))
    out["mouthPucker"] = _vec(f.mouth, dz=0.008) + f.mouth[:, None] * np.stack([-0.4 * x, 0 * x, 0 * x], 1)
    out["mouthLeft"] = _vec(f.mouth, dx=0.008)
    out["mouthRight"] = _vec(f.mouth, dx=-0.008)
    for side, name in ((1.0, "Left"), (-1.0, "Right")):
        corner = f.corner(side)
        half = _side(q, side)
        out[f"mouthSmile{name}"] = _vec(corner, dx=0.004 * side, dy=0.006, dz=-0.002)
        out[f"mouthFrown{name}"] = _vec(corner, dx=0.001 * side, dy=-0.005)
        out[f"mouthDimple{name}"] = _vec(corner, dx=0.003 * side, dz=-0.003)
        out[f"mouthStretch{name}"] = _vec(corner, dx=0.006 * side, dy=-0.0015)
        out[f"mouthPress{name}"] = _vec(lips_up * half, dy=-0.0022, dz=-0.0015) + _vec(lips_low * half, dy=0.0028, dz=-0.0015)
        out[f"mouthLowerDown{name}"] = _vec(lips_low * half, dy=-0.005)
        out[f"mouthUpperUp{name}"] = _vec(lips_up * half, dy=0.004)
        brow = (_blob(q, (0.032 * side, 0.024, 0.08), (0.028, 0.014, 0.05)) * pool.is_("head", f"brow{'L' if side > 0 else 'R'}")
                * half)
        out[f"browDown{name}"] = _vec(brow, dx=-0.0015 * side, dy=-0.004, dz=0.001)
        outer = _blob(q, (0.047 * side, 0.024, 0.07), (0.016, 0.014, 0.05)) * pool.is_("head", "browL", "browR") * half
        out[f"browOuterUp{name}"] = _vec(outer, dy=0.005)
        cheek = _blob(q, (0.042 * side, -0.016, 0.07), (0.018, 0.013, 0.04)) * f.skin * half
        out[f"cheekSquint{name}"] = _vec(cheek, dy=0.003, dz=0.001)
        sneer = _blob(q, (0.011 * side, -0.028, 0.1), (0.008, 0.011, 0.04)) * pool.is_("head") * half
        out[f"noseSneer{name}"] = _vec(sneer, dy=0.003, dz=0.0005)
    out["mouthRollLower"] = _vec(lips_low, dy=0.0015, dz=-0.003)
    out["mouthRollUpper"] = _vec(lips_up, dy=-0.0012, dz=-0.003)
    out["mouthShrugLower"] = _vec(f.mouth * f.lower, dy=0.003, dz=0.002)
    out["mouthShrugUpper"] = _vec(lips_up, dy=0.0025, dz=0.001)
    inner = (_blob(q, (0.016, 0.022, 0.08), (0.014, 0.013, 0.05)) + _blob(q, (-0.016, 0.022, 0.08), (0.014, 0.013, 0.05)))
    out["browInnerUp"] = _vec(inner * pool.is_("head", "browL", "browR"), dy=0.0055)
    puff = (_blob(q, (0.045, -0.045, 0.06), (0.022, 0.022, 0.04)) + _blob(q, (-0.045, -0.045, 0.06), (0.022, 0.022, 0.04)))
    puff = puff * pool.is_("head")
    out["cheekPuff"] = puff[:, None] * np.stack([0.006 * np.sign(x), 0 * x, np.full_like(x, 0.003)], 1)
    tongue = pool.is_("tongue")
    out["tongueOut"] = _vec(tongue, dy=-0.004, dz=0.026)
    return {name: out[name] for name in ARKIT_BLENDSHAPES}


VISEME_MIX: dict[str, dict[str, float]] = {
    "aa": {"jawOpen": 0.75, "mouthLowerDownLeft": 0.3, "mouthLowerDownRight": 0.3, "mouthUpperUpLeft": 0.2,
           "mouthUpperUpRight": 0.2},
    "ih": {"jawOpen": 0.25, "mouthStretchLeft": 0.45, "mouthStretchRight": 0.45, "mouthSmileLeft": 0.15,
           "mouthSmileRight": 0.15},
    "ou": {"jawOpen": 0.15, "mouthPucker": 0.9, "mouthFunnel": 0.45},
    "ee": {"jawOpen": 0.18, "mouthStretchLeft": 0.6, "mouthStretchRight": 0.6, "mouthSmileLeft": 0.3,
           "mouthSmileRight": 0.3},
    "oh": {"jawOpen": 0.45, "mouthFunnel": 0.85, "mouthPucker": 0.2},
}


def face_morphs(pool: FacePool) -> dict[str, np.ndarray]:
    """World-space position deltas (N, 3) for the 52 ARKit blendshapes then the 5 visemes."""
    fields = arkit_fields(pool)
    for viseme, mix in VISEME_MIX.items():
        fields[viseme] = sum((w * fields[name] for name, w in mix.items()), np.zeros_like(pool.q))
    scale = pool.layout.scale
    result = {}
    for name, delta in fields.items():
        world = delta * scale
        world[np.linalg.norm(world, axis=1) < MIN_DELTA] = 0.0
        result[name] = world
    return result

