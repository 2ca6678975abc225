"""Video plates: the background video plays in step with scene time and loops."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import HEADER

SIZE = (120, 160)


def _write_plate(path, fps=10):
    from engine.record.video import VideoWriter

    with VideoWriter(path, 64, 64, fps) as writer:
        for index in range(10):  # 0.5 s red, then 0.5 s blue
            colour = (220, 30, 30) if index < 5 else (30, 30, 220)
            writer.write_video(np.full((64, 64, 3), colour, np.uint8))


def test_video_plate_follows_scene_time_and_loops(project):
    from engine.render.backend import OffscreenRenderer
    from engine.render.plugin import RenderedFrame, RenderPlugin
    from engine.scene.runtime import scene_app

    _write_plate(project.root / "assets" / "plate.mp4")
    scene = project.scene(HEADER + '[[entity]]\nname = "set"\n[entity.environment]\nbackground = "plate.mp4"\n'
                          '[[entity]]\nname = "cam"\n[entity.camera]\nfov_deg = 40.0\n'
                          '[entity.transform]\nposition = [0.0, 1.5, 3.0]\n')
    app, runner = scene_app(scene, start=False)
    renderer = OffscreenRenderer(*SIZE, msaa=0)
    app.add_plugin(RenderPlugin(renderer))
    runner.start()
    colours = {}
    try:
        for frame in range(45):  # 1.5 s at 30 fps
            app.step()
            if frame in (6, 21, 36):  # 0.2 s, 0.7 s, 1.2 s (after one loop)
                image = app.world.resources.get(RenderedFrame).frame.astype(int)
                colours[frame] = image[5:25, 5:25].reshape(-1, 3).mean(axis=0)
    finally:
        renderer.close()
        app.world.close()
    red, blue, red_again = colours[6], colours[21], colours[36]
    assert red[0] > red[2] + 80 and blue[2] > blue[0] + 80 and red_again[0] > red_again[2] + 80


def test_a_broken_video_plate_is_a_clear_error(tmp_path):
    from engine.render.plate import PlateError, VideoPlate

    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    with pytest.raises(PlateError, match="broken.mp4: cannot decode"):
        VideoPlate(str(broken))


def test_a_broken_plate_in_a_scene_falls_back_to_the_gradient(project, caplog):
    from engine.render.backend import OffscreenRenderer
    from engine.render.plugin import RenderPlugin
    from engine.scene.runtime import scene_app

    (project.root / "assets" / "broken.mp4").write_bytes(b"not a video")
    scene = project.scene(HEADER + '[[entity]]\nname = "set"\n[entity.environment]\nbackground = "broken.mp4"\n')
    app, runner = scene_app(scene, start=False)
    renderer = OffscreenRenderer(*SIZE, msaa=0)
    app.add_plugin(RenderPlugin(renderer))
    runner.start()
    try:
        app.run(3)
    finally:
        renderer.close()
        app.world.close()
    assert "broken.mp4: cannot decode" in caplog.text and "background colour instead" in caplog.text
