"""Lighting presets: colour temperature and three-point key/fill/rim setups."""

from __future__ import annotations

import numpy as np
import pytest

from engine.anim import quat
from engine.render.lighting import (
    PRESETS,
    LightSpec,
    direction_to_rotation,
    kelvin_to_rgb,
    three_point,
)


@pytest.mark.parametrize("kelvin", [1000.0, 1900.0, 2700.0, 4000.0, 5600.0, 6500.0, 10000.0, 40000.0])
def test_kelvin_is_normalised_to_the_brightest_channel(kelvin: float) -> None:
    rgb = np.array(kelvin_to_rgb(kelvin))
    assert rgb.max() == pytest.approx(1.0) and (rgb >= 0.0).all()


def test_kelvin_goes_from_warm_to_cool() -> None:
    warm, daylight, cool = (np.array(kelvin_to_rgb(k)) for k in (2700.0, 6600.0, 12000.0))
    assert warm[0] == pytest.approx(1.0) and warm[2] < 0.6  # tungsten: orange
    assert np.allclose(daylight, 1.0, atol=0.05)  # about white near 6600 K
    assert cool[2] == pytest.approx(1.0) and cool[0] < 0.85  # sky: blue
    blues = [kelvin_to_rgb(k)[2] / kelvin_to_rgb(k)[0] for k in range(1000, 40001, 500)]
    assert all(b >= a - 1e-9 for a, b in zip(blues, blues[1:], strict=False))  # monotonic
    assert kelvin_to_rgb(500.0) == kelvin_to_rgb(1000.0)  # clamped to the valid range


@pytest.mark.parametrize("preset", PRESETS)
def test_three_point_directions_and_ratios(preset: str) -> None:
    lights = {spec.role: spec for spec in three_point(preset)}
    key, fill, rim = lights["key"], lights["fill"], lights["rim"]
    for spec in (key, fill, rim):
        d = np.array(spec.direction)
        assert np.linalg.norm(d) == pytest.approx(1.0)
        assert d[1] < 0.0  # every light is above the subject, shining down
        assert max(spec.color) == pytest.approx(1.0) and spec.kind == "directional"
    kd, fd, rd = (np.array(s.direction) for s in (key, fill, rim))
    assert kd[2] < 0.0 and fd[2] < 0.0  # key and fill from the camera side (+Z), shining toward -Z
    assert rd[2] > 0.3  # rim from behind
    assert kd[0] * fd[0] < 0.0  # fill on the other side from the key
    side = np.degrees(np.arctan2(abs(kd[0]), -kd[2]))
    assert 30.0 < side < 60.0  # key about 45 degrees to the side
    assert 20.0 < np.degrees(np.arcsin(-kd[1])) < 55.0  # and above
    assert key.intensity > fill.intensity > 0.0 and rim.intensity > 0.0
    assert key.shadows and not fill.shadows
    assert key.color[2] <= fill.color[2] + 1e-9  # key warmer (or equal) than the fill
    ambient = [s for s in three_point(preset) if s.kind == "ambient"]
    assert len(ambient) == 1 and ambient[0].intensity < key.intensity
    assert len(three_point(preset, ambient=False)) == 3


def test_presets_differ_in_mood() -> None:
    ratio = {p: next(s for s in three_point(p) if s.role == "fill").intensity
             / next(s for s in three_point(p) if s.role == "key").intensity for p in PRESETS}
    assert ratio["stage"] < ratio["showroom"] < ratio["news_studio"]
    with pytest.raises(ValueError, match="news_studio"):
        three_point("disco")


@pytest.mark.parametrize("direction", [(0.3, -0.6, -0.7), (0.0, -1.0, 0.0), (0.0, 0.0, 1.0), (0.0, 0.0, -1.0)])
def test_rotation_turns_minus_z_onto_the_direction(direction: tuple[float, float, float]) -> None:
    d = np.array(direction) / np.linalg.norm(direction)
    q = direction_to_rotation(d)
    assert np.allclose(quat.rotate(q, np.array([0.0, 0.0, -1.0])), d, atol=1e-9)
    spec = LightSpec("key", "directional", tuple(d), (1.0, 1.0, 1.0), 1.0)
    assert np.allclose(spec.rotation, q)
