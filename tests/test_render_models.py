"""Every shared sample model renders in a scene; regression pictures keep what we checked by eye.

The references in tests/reference/models/ are our own renders, looked at once against the
samples' documentation (the VRM 1.0 sample against its screenshot: same panel layout, text
reading the right way round; expression-driven texture transforms are not applied yet). To
refresh them after an intended change: PERSONA_REFRESH_REFERENCE=1 .venv/bin/python -m pytest
tests/test_render_models.py, then look at the new PNGs before committing them.
"""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
from PIL import Image

from tests.conftest import HEADER, REPO, TESTDATA

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not TESTDATA.is_dir(), reason="../shared/testdata is absent (a user's clone)")]

MODELS = ["gltf/Fox.glb", "gltf/RiggedFigure.glb", "gltf/RiggedSimple.glb", "gltf/SimpleSkin.gltf",
          "gltf/SimpleMorph.gltf", "vrm/Godette_vrm_v4.vrm", "vrm/VRMC_vrm_expressions_isBinary_Overrides.vrm"]
SIZE = (180, 240)
TOLERANCE = 4.0  # mean absolute difference in 8-bit levels


def _render(project, relative: str) -> np.ndarray:
    from engine.render.backend import OffscreenRenderer
    from engine.render.plugin import RenderedFrame, RenderPlugin
    from engine.render.shots_system import CameraRigPlugin
    from engine.scene.runtime import scene_app

    source = TESTDATA / relative
    shutil.copy(source, project.root / "assets" / source.name)  # the test's temp project, not the repo
    scene = project.scene(HEADER + f'[[entity]]\nname = "model"\n[entity.avatar]\nasset = "{source.name}"\n'
                          '[[entity]]\nname = "cam"\n[entity.camera]\ntarget = "model"\nshot = "full"\n')
    app, runner = scene_app(scene, start=False)
    renderer = OffscreenRenderer(*SIZE)
    try:
        app.add_plugin(CameraRigPlugin(aspect=SIZE[0] / SIZE[1]))
        app.add_plugin(RenderPlugin(renderer))
        runner.start()
        app.run(3)
        return app.world.resources.get(RenderedFrame).frame.copy()
    finally:
        renderer.close()
        app.world.close()


@pytest.mark.parametrize("relative", MODELS, ids=lambda r: r.split("/")[1])
def test_sample_model_matches_its_reference_picture(project, relative):
    frame = _render(project, relative)
    background = frame[2, 2].astype(int)
    assert (np.abs(frame.astype(int) - background).sum(axis=2) > 40).mean() > 0.02, "the model should be visible"
    stem = relative.split("/")[1].rsplit(".", 1)[0].lower()
    reference = REPO / "tests" / "reference" / "models" / f"model_{stem}.png"
    if os.environ.get("PERSONA_REFRESH_REFERENCE") or not reference.exists():
        reference.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(frame).save(reference)
        if not os.environ.get("PERSONA_REFRESH_REFERENCE"):
            pytest.fail(f"no reference yet: wrote {reference}; look at it, then commit it")
    expected = np.asarray(Image.open(reference).convert("RGB"), dtype=np.int16)
    assert np.abs(frame.astype(np.int16) - expected).mean() <= TOLERANCE
