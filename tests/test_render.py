"""Offscreen rendering: frame shape and orientation, the avatar on screen, determinism, materials, alpha, deformation."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest

pytest.importorskip("panda3d")

from engine.anim.pose import node_world_position  # noqa: E402
from engine.components import Light, Name  # noqa: E402
from engine.components.avatar import AvatarModel, PoseState  # noqa: E402
from engine.events import Gesture  # noqa: E402
from engine.render.backend import OffscreenRenderer, RenderBackendError  # noqa: E402
from engine.render.plugin import RenderedFrame, RenderPlugin, gather_lights  # noqa: E402
from engine.scene.runtime import scene_app  # noqa: E402
from tests.conftest import REPO  # noqa: E402

W, H = 135, 240  # small 9:16 frames keep the suite fast on llvmpipe

MEDIUM_SCENE = """
[scene]
id = "render-test"
title = "Render test"
seed = 3

[[entity]]
name = "set"
[entity.environment]
background_color = "#1d2333"
floor_color = [0.30, 0.32, 0.38]

[[entity]]
name = "host"
[entity.avatar]
style = "presenter"
seed = 7

[[entity]]
name = "cam"
[entity.camera]
fov_deg = 35.0
[entity.transform]
position = [0.0, 1.52, 1.35]
rotation_deg = [-5.0, 0.0, 0.0]
"""


def render_app(path, width: int = W, height: int = H, msaa: int = 4):
    """A scene app with a RenderPlugin on an offscreen renderer of the given size."""
    app, _ = scene_app(path)
    renderer = OffscreenRenderer(width, height, msaa=msaa)
    app.add_plugin(RenderPlugin(renderer))
    return app, renderer


def frame_of(app) -> np.ndarray:
    """The RGB frame the last step rendered."""
    return app.world.resources.get(RenderedFrame).frame


def face_pixel(app, width: int, height: int) -> tuple[int, int]:
    """Screen (row, col) of the front of the avatar's face, projected through the scene camera."""
    world = app.world
    host = next(e for e, n in world.query_one(Name) if n.value == "host")
    model, state = world.get(host, AvatarModel), world.get(host, PoseState)
    head = node_world_position(model.asset, state.pose, model.asset.vrm.humanoid["head"])
    point = head + np.array([0.0, 0.06, 0.08])  # from the head joint to between the cheeks
    cam = np.eye(4)
    cam[:3, 3] = [0.0, 1.52, 1.35]
    pitch = math.radians(-5.0)
    cam[1:3, 1:3] = [[math.cos(pitch), -math.sin(pitch)], [math.sin(pitch), math.cos(pitch)]]
    local = np.linalg.inv(cam) @ np.append(point, 1.0)
    tan_v = math.tan(math.radians(35.0) / 2)
    x = local[0] / -local[2] / (tan_v * width / height)
    y = local[1] / -local[2] / tan_v
    return int((1 - y) / 2 * height), int((x + 1) / 2 * width)


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    """One rendered frame of the medium-shot scene (module-wide: building the avatar costs a second)."""
    path = tmp_path_factory.mktemp("render") / "medium.toml"
    path.write_text(MEDIUM_SCENE, encoding="utf-8")
    app, renderer = render_app(path)
    app.step()
    yield path, app, renderer
    renderer.close()


def test_offscreen_frame_size_and_layout():
    with OffscreenRenderer(64, 48, msaa=0) as renderer:
        renderer.set_clear_color((1.0, 0.0, 0.0))
        frame = renderer.render()
        assert frame.shape == (48, 64, 3) and frame.dtype == np.uint8 and frame.flags["C_CONTIGUOUS"]
        assert renderer.backend_name in ("p3headlessgl", "p3tinydisplay")
        if renderer.shaders_supported:
            assert tuple(frame[0, 0]) == (255, 0, 0)  # RGB order, not BGR


def test_bad_size_is_rejected():
    with pytest.raises(ValueError):
        OffscreenRenderer(0, 10)


def test_avatar_is_on_screen_and_skin_coloured(medium):
    _, app, _ = medium
    frame = frame_of(app).astype(int)
    out = app.world.resources.get(RenderedFrame)
    assert out.index == 0 and out.render_s > 0
    background = frame[2, 2]
    differs = np.abs(frame - background).sum(axis=2) > 40
    rows, cols = np.nonzero(differs)
    assert differs.mean() > 0.2, "the avatar should fill a good part of a medium shot"
    assert cols.min() < W * 0.3 and cols.max() > W * 0.7 and rows.min() < H * 0.2
    row, col = face_pixel(app, W, H)
    assert 0 <= row < H // 2 and 0 <= col < W  # upper half: a flipped readback would show the jacket here
    r, g, b = frame[row - 1:row + 2, col - 1:col + 2].reshape(-1, 3).mean(axis=0)
    assert r > 120 and r > g > b, f"face pixel {(r, g, b)} is not skin-like"


def test_same_frame_renders_identically(medium):
    path, app, renderer = medium
    first = frame_of(app).copy()
    renderer.draw()
    assert np.array_equal(renderer.read(), first)
    other_app, other = render_app(path)
    try:
        other_app.step()
        assert np.array_equal(frame_of(other_app), first)
    finally:
        other.close()


def test_material_colour_change_shows(medium):
    _, app, renderer = medium
    world = app.world
    host = next(e for e, n in world.query_one(Name) if n.value == "host")
    asset = world.get(host, AvatarModel).asset
    top = next(m for m in asset.materials if m.name == "top")
    before = frame_of(app).copy()
    saved = top.base_color.copy()
    try:
        top.base_color = np.array([0.0, 0.6, 0.0, 1.0])
        app.step()
        after = frame_of(app)
        greener = (after[:, :, 1].astype(int) - before[:, :, 1]) > 40
        assert greener.mean() > 0.05
    finally:
        top.base_color = saved
        app.step()


def test_alpha_output(medium):
    _, app, renderer = medium
    rgba = renderer.render_rgba()
    assert rgba.shape == (H, W, 4) and rgba.dtype == np.uint8
    assert rgba[0, 0, 3] == 0 and rgba[H - 1, 0, 3] == 0  # backdrop and floor are left out
    row, col = face_pixel(app, W, H)
    assert rgba[row, col, 3] == 255
    assert (rgba[:, :, 3] == 255).mean() > 0.2
    # the colour buffer still renders the backdrop afterwards
    renderer.draw()
    assert renderer.read()[0, 0].sum() > 0


def test_gesture_moves_pixels(medium):
    path, app, renderer = medium
    still_app, still = render_app(path)
    try:
        host = next(e for e, n in app.world.query_one(Name) if n.value == "host")
        view = renderer_view(app)
        uploads = view.uploads
        app.world.events.send(Gesture(host, "wave"))
        for _ in range(15):
            app.step()
            still_app.step()
        moved = np.abs(frame_of(app).astype(int) - frame_of(still_app)).sum(axis=2) > 30
        assert moved.mean() > 0.01, "a wave should move the arm on screen"
        assert view.uploads > uploads
    finally:
        still.close()


def renderer_view(app):
    """The AvatarView of the scene's avatar (through the plugin's mirror)."""
    plugin = next(p for p in app._plugins if isinstance(p, RenderPlugin))
    return next(iter(plugin.mirror.avatars.values()))


def test_default_lights_when_scene_has_none(medium):
    _, app, _ = medium
    rig = gather_lights(app.world, None)
    assert len(rig.directions) == 3 and rig.directions[rig.key_index][1] > 0  # key from above
    assert max(float(np.mean(c)) for c in rig.colours) <= 1.0


def test_scene_lights_are_used(medium):
    _, app, _ = medium
    from engine.components import Transform

    entity = app.world.spawn_now(Light(kind="directional", role="key", intensity=3.0, color=(1.0, 0.5, 0.5)),
                                 Transform())
    try:
        app.step()
        rig = gather_lights(app.world, None)
        assert len(rig.directions) == 1
        assert np.allclose(rig.directions[0], [0.0, 0.0, 1.0])  # shining down -Z: the light is at +Z
        assert rig.colours[0][0] > rig.colours[0][1]
    finally:
        app.world.commands.despawn(entity)
        app.world.flush()


def test_fallback_backend_can_be_forced():
    try:
        renderer = OffscreenRenderer(32, 24, msaa=0, pipes=("p3tinydisplay",))
    except RenderBackendError as error:
        pytest.skip(f"p3tinydisplay needs an X display here ({error}); tested under xvfb in test_render_window")
    with renderer:
        assert renderer.backend_name == "p3tinydisplay" and not renderer.shaders_supported
        assert renderer.render().shape == (24, 32, 3)


def test_prop_and_image_plate(project):
    """A static prop (PBR-lite) and a background image plate both reach the frame."""
    Image = pytest.importorskip("PIL.Image")
    plate = np.zeros((64, 36, 3), np.uint8)
    plate[:, :, 1] = 200  # a green plate
    Image.fromarray(plate).save(project.root / "assets" / "plate.png")
    shutil.copy(REPO / "assets" / "avatars" / "casual.glb", project.root / "assets" / "prop.glb")
    scene = MEDIUM_SCENE.replace('background_color = "#1d2333"', 'background = "plate.png"\nprops = ["prop.glb"]')
    # the scene's own avatar steps aside; the prop (a person in its rest pose) stands at the origin
    scene = scene.replace('name = "host"\n[entity.avatar]',
                          'name = "host"\n[entity.transform]\nposition = [5.0, 0.0, 0.0]\n[entity.avatar]')
    app, renderer = render_app(project.scene(scene))
    try:
        app.step()
        frame = frame_of(app).astype(int)
        assert frame[2, 2, 1] > 150 and frame[2, 2, 0] < 60  # the plate behind
        row, col = int(H * 0.7), W // 2  # the prop's chest
        assert abs(frame[row, col, 1] - 200) > 60
    finally:
        renderer.close()


def test_built_in_set_replaces_the_floor(tmp_path):
    """A preset set is drawn (PBR-lite) and, bringing its own floor, hides ours but keeps contact shadows."""
    pytest.importorskip("engine.sets")
    scene = MEDIUM_SCENE.replace('background_color = "#1d2333"', 'background_color = "#1d2333"\npreset = "news_studio"')
    path = tmp_path / "set.toml"
    path.write_text(scene, encoding="utf-8")
    app, renderer = render_app(path)
    try:
        app.step()
        plugin = next(p for p in app._plugins if isinstance(p, RenderPlugin))
        mirror = plugin.mirror
        assert "set:news_studio" in mirror.statics
        assert mirror.set_floor and mirror.stage.floor.is_hidden() and not mirror.stage.shadows.is_hidden()
        assert frame_of(app).std() > 10
    finally:
        renderer.close()


def test_switching_worlds_rebuilds_the_mirror(medium):
    path, _, _ = medium
    app, runner = scene_app(path)
    renderer = OffscreenRenderer(W, H)
    app.add_plugin(RenderPlugin(renderer))
    try:
        app.step()
        plugin = next(p for p in app._plugins if isinstance(p, RenderPlugin))
        first = plugin.mirror
        runner.start()  # adopts a freshly built world, as a load_scene action or a hot reload does
        app.step()
        assert plugin.mirror is not first and len(plugin.mirror.avatars) == 1
        assert len(renderer.root.find_all_matches("avatar-*")) == 1  # the old world's avatar is gone
        assert frame_of(app).shape == (H, W, 3)
    finally:
        renderer.close()
