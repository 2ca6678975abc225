"""Regression pictures: fixed scenes rendered small and compared with committed reference PNGs.

To refresh the references after an intended look change, run

    PERSONA_REFRESH_REFERENCE=1 .venv/bin/python -m pytest tests/test_render_reference.py

look at the new tests/reference/*.png, and commit them. A failing comparison writes the
actual frame next to the test's tmp folder and names it in the message.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("panda3d")
Image = pytest.importorskip("PIL.Image")

from engine.render.plugin import RenderedFrame  # noqa: E402
from tests.test_render import MEDIUM_SCENE, render_app  # noqa: E402

REFERENCE = Path(__file__).resolve().parent / "reference"
# llvmpipe versions differ in rasterisation rules and MSAA patterns by a level or two at edges
MEAN_ABS_TOLERANCE = 3.0
FULL_SCENE = MEDIUM_SCENE.replace("position = [0.0, 1.52, 1.35]", "position = [0.0, 1.1, 3.9]").replace(
    "rotation_deg = [-5.0, 0.0, 0.0]", "rotation_deg = [-4.0, 0.0, 0.0]")


@pytest.mark.parametrize(("name", "scene"), [("medium", MEDIUM_SCENE), ("full", FULL_SCENE)])
def test_reference_picture(tmp_path, name, scene):
    path = tmp_path / f"{name}.toml"
    path.write_text(scene, encoding="utf-8")
    app, renderer = render_app(path, 270, 480, msaa=4)
    try:
        if not renderer.shaders_supported:
            pytest.skip(f"reference pictures need shaders; backend is {renderer.backend_name}")
        app.step()
        frame = app.world.resources.get(RenderedFrame).frame
    finally:
        renderer.close()
    reference = REFERENCE / f"render_{name}_270x480.png"
    if os.environ.get("PERSONA_REFRESH_REFERENCE"):
        REFERENCE.mkdir(exist_ok=True)
        Image.fromarray(frame).save(reference, optimize=True)
    assert reference.exists(), f"missing {reference}; see this module's docstring to create it"
    expected = np.asarray(Image.open(reference).convert("RGB"))
    assert expected.shape == frame.shape
    diff = float(np.abs(expected.astype(np.int16) - frame).mean())
    if diff > MEAN_ABS_TOLERANCE:
        actual = tmp_path / f"actual_{name}.png"
        Image.fromarray(frame).save(actual)
        pytest.fail(f"{name}: mean abs diff {diff:.2f} > {MEAN_ABS_TOLERANCE} (actual frame: {actual})")
