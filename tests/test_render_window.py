"""The play window: a clear error without a display, orbit maths, and a real window under Xvfb."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytest.importorskip("panda3d")

from engine.render.window import NoDisplayError, WindowRenderer, orbit_matrix  # noqa: E402
from tests.conftest import REPO  # noqa: E402
from tests.test_render import MEDIUM_SCENE  # noqa: E402


def test_no_display_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(NoDisplayError) as info:
        WindowRenderer(320, 240)
    message = str(info.value)
    assert "DISPLAY" in message and "xvfb-run" in message and "--headless" in message


def test_orbit_keeps_the_pivot_in_view():
    camera = np.eye(4)
    camera[:3, 3] = [0.0, 1.5, 2.0]  # looking down -Z at (0, 1.5, 0) two metres away
    assert orbit_matrix(camera, 0.0, 0.0, 1.0, 2.0) is camera
    turned = orbit_matrix(camera, 90.0, 0.0, 1.0, 2.0)
    assert np.allclose(turned[:3, 3], [2.0, 1.5, 0.0], atol=1e-9)
    assert np.allclose(turned[:3, 3] - turned[:3, 2] * 2.0, [0.0, 1.5, 0.0], atol=1e-9)  # still aims at the pivot
    closer = orbit_matrix(camera, 0.0, 0.0, 0.5, 2.0)
    assert np.allclose(closer[:3, 3], [0.0, 1.5, 1.0])
    raised = orbit_matrix(camera, 0.0, 30.0, 1.0, 2.0)
    assert raised[1, 3] > 1.5 and np.allclose(np.linalg.det(raised[:3, :3]), 1.0)


WINDOW_SCRIPT = """
import json, sys
from pathlib import Path
import numpy as np
from engine.render.backend import OffscreenRenderer
from engine.render.plugin import RenderPlugin
from engine.render.window import WindowRenderer
from engine.scene.runtime import scene_app

scene, shots = Path(sys.argv[1]), Path(sys.argv[2])
app, _ = scene_app(scene)
window = WindowRenderer(135, 240, screenshot_dir=shots)
app.add_plugin(RenderPlugin(window, readback=False))
app.step()
first = window.read()
window.handle_key("space")
paused = window.paused
window.handle_key("arrow_left")
window.draw()
turned = window.read()
window.handle_key("f12")
out = {"backend": window.backend_name, "shape": list(first.shape), "paused": paused,
       "centre": first[120, 67].tolist(), "orbit_diff": float(np.abs(first.astype(int) - turned).mean()),
       "screenshots": [str(p) for p in window.screenshots if p.exists()]}
window.close()
tiny = OffscreenRenderer(32, 24, msaa=0, pipes=("p3tinydisplay",))
tiny.set_clear_color((0.0, 0.0, 1.0))
out["tiny"] = [tiny.backend_name, list(tiny.render().shape)]
tiny.close()
print("RESULT " + json.dumps(out))
"""


@pytest.mark.slow
def test_window_under_xvfb(tmp_path):
    """A real window on a virtual X display: draws the avatar, pauses, orbits, writes F12 screenshots."""
    if shutil.which("xvfb-run") is None:
        pytest.skip("xvfb-run is not installed (Debian package xvfb)")
    scene = tmp_path / "scene.toml"
    scene.write_text(MEDIUM_SCENE, encoding="utf-8")
    script = tmp_path / "window_check.py"
    script.write_text(textwrap.dedent(WINDOW_SCRIPT), encoding="utf-8")
    done = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 640x480x24", sys.executable, str(script), str(scene),
                           str(tmp_path / "shots")], cwd=REPO, capture_output=True, text=True, timeout=180)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stderr[-2000:]
    result = json.loads(lines[-1][len("RESULT "):])
    assert result["backend"] == "pandagl" and result["shape"] == [240, 135, 3]
    assert result["paused"] is True
    assert result["orbit_diff"] > 1.0
    r, g, b = result["centre"]
    assert r > g > b  # the jacket / face in the middle of a medium shot, not the blue-grey backdrop
    assert len(result["screenshots"]) == 1
    assert result["tiny"] == ["p3tinydisplay", [24, 32, 3]]
