"""Lighting presets: colour temperature to RGB, and three-point key/fill/rim setups per virtual set."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

PRESETS = ("default", "news_studio", "airport_hall", "showroom", "stage")


def kelvin_to_rgb(kelvin: float) -> tuple[float, float, float]:
    """Linear-ish RGB of a black body at ``kelvin`` (1000-40000 K), scaled so the largest channel is 1.

    Tanner Helland's fit to Mitchell Charity's black-body table; good to a few per cent,
    which is plenty for tinting lights.
    """
    t = min(max(float(kelvin), 1000.0), 40000.0) / 100.0
    if t <= 66.0:
        red = 255.0
        green = 99.4708025861 * math.log(t) - 161.1195681661
        blue = 0.0 if t <= 19.0 else 138.5177312231 * math.log(t - 10.0) - 305.0447927307
    else:
        red = 329.698727446 * (t - 60.0) ** -0.1332047592
        green = 288.1221695283 * (t - 60.0) ** -0.0755148492
        blue = 255.0
    rgb = np.clip(np.array([red, green, blue]) / 255.0, 0.0, 1.0)
    rgb = rgb / max(float(rgb.max()), 1e-9)
    return (float(rgb[0]), float(rgb[1]), float(rgb[2]))


def direction_from_angles(azimuth_deg: float, elevation_deg: float) -> np.ndarray:
    """Unit vector FROM a light TO the subject at the origin, for a light placed at these angles.

    Azimuth is measured from the camera side (+Z) toward +X (the subject's left, screen right
    for a camera at +Z); 180 is straight behind. Elevation is above the horizon.
    """
    az, el = math.radians(azimuth_deg), math.radians(elevation_deg)
    where = np.array([math.sin(az) * math.cos(el), math.sin(el), math.cos(az) * math.cos(el)])
    return -where


def direction_to_rotation(direction: np.ndarray) -> np.ndarray:
    """Quaternion (x, y, z, w) turning a light's local -Z (glTF lights shine along -Z) onto ``direction``."""
    d = np.asarray(direction, dtype=np.float64)
    d = d / max(float(np.linalg.norm(d)), 1e-12)
    back = -d
    up = np.array([0.0, 1.0, 0.0]) if abs(back[1]) < 0.999 else np.array([0.0, 0.0, 1.0])
    right = np.cross(up, back)
    right /= np.linalg.norm(right)
    m = np.column_stack([right, np.cross(back, right), back])
    # Shepperd's method (trace branch is safe here except near 180 degrees, handled below)
    trace = m[0, 0] + m[1, 1] + m[2, 2]
    if trace > -0.99:
        s = 2.0 * math.sqrt(trace + 1.0)
        q = np.array([(m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s, 0.25 * s])
    else:
        i = int(np.argmax(np.diag(m)))
        j, k = (i + 1) % 3, (i + 2) % 3
        s = 2.0 * math.sqrt(1.0 + m[i, i] - m[j, j] - m[k, k])
        q = np.zeros(4)
        q[i] = 0.25 * s
        q[j] = (m[j, i] + m[i, j]) / s
        q[k] = (m[k, i] + m[i, k]) / s
        q[3] = (m[k, j] - m[j, k]) / s
    return q / np.linalg.norm(q)


@dataclass(slots=True, frozen=True)
class LightSpec:
    """One light of a preset: ``direction`` is a unit vector from the light to the subject (Y up)."""

    role: str  # key, fill, rim, or none (ambient)
    kind: str  # directional or ambient
    direction: tuple[float, float, float]
    color: tuple[float, float, float]
    intensity: float
    shadows: bool = False
    temperature_k: float | None = None

    @property
    def rotation(self) -> np.ndarray:
        """The Transform rotation (x, y, z, w) of a Light entity shining this way."""
        return direction_to_rotation(np.array(self.direction))


@dataclass(slots=True, frozen=True)
class _Preset:
    key_k: float
    key: float
    key_az: float
    key_el: float
    fill_k: float
    fill_ratio: float  # fill intensity / key intensity
    rim_k: float
    rim_ratio: float
    ambient: float
    ambient_k: float
    rim_tint: tuple[float, float, float] | None = None


# Directions follow portrait/studio practice: key ~45 degrees to camera-left and above, fill
# low on the other side, rim high behind. Ratios set the mood (news flat, stage dramatic).
_PRESETS: dict[str, _Preset] = {
    "default": _Preset(5000.0, 2.4, -45.0, 35.0, 6500.0, 0.45, 7000.0, 0.9, 0.35, 6500.0),
    "news_studio": _Preset(5600.0, 2.6, -40.0, 30.0, 6000.0, 0.6, 7500.0, 1.0, 0.40, 6000.0),
    "airport_hall": _Preset(5800.0, 2.2, -50.0, 45.0, 7000.0, 0.65, 6500.0, 0.7, 0.55, 7500.0),
    "showroom": _Preset(4300.0, 2.6, -45.0, 35.0, 5600.0, 0.35, 5200.0, 1.3, 0.30, 5000.0),
    "stage": _Preset(3800.0, 3.0, -50.0, 40.0, 7500.0, 0.2, 9000.0, 1.8, 0.18, 8000.0,
                     rim_tint=(0.55, 0.7, 1.0)),
}


def three_point(preset: str = "default", ambient: bool = True) -> list[LightSpec]:
    """Key, fill and rim lights (plus a weak ambient unless ``ambient`` is False) for ``preset``.

    Used when a scene declares no lights; presets: default, news_studio, airport_hall,
    showroom, stage. Unknown names raise ValueError.
    """
    if preset not in _PRESETS:
        raise ValueError(f"unknown lighting preset {preset!r}; expected one of {', '.join(PRESETS)}")
    p = _PRESETS[preset]

    def spec(role: str, kelvin: float, intensity: float, az: float, el: float, shadows: bool,
             tint: tuple[float, float, float] | None = None) -> LightSpec:
        rgb = np.array(kelvin_to_rgb(kelvin))
        if tint is not None:
            rgb = rgb * np.array(tint)
            rgb = rgb / rgb.max()
        direction = direction_from_angles(az, el)
        return LightSpec(role, "directional", (float(direction[0]), float(direction[1]), float(direction[2])),
                         (float(rgb[0]), float(rgb[1]), float(rgb[2])), round(intensity, 4), shadows, kelvin)

    lights = [
        spec("key", p.key_k, p.key, p.key_az, p.key_el, True),
        spec("fill", p.fill_k, p.key * p.fill_ratio, -p.key_az + 10.0 * math.copysign(1.0, -p.key_az), 15.0, False),
        spec("rim", p.rim_k, p.key * p.rim_ratio * 0.6, 160.0 if p.key_az < 0 else -160.0, 50.0, False,
             p.rim_tint),
    ]
    if ambient:
        rgb = kelvin_to_rgb(p.ambient_k)
        lights.append(LightSpec("none", "ambient", (0.0, -1.0, 0.0), rgb, p.ambient, False, p.ambient_k))
    return lights
