"""Camera shots: framing in normalised screen coordinates, moves, avatar points, and the camera rig system."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from engine.anim.pose import Pose
from engine.assets.maker import AvatarParams, make_avatar
from engine.assets.model import AvatarAsset, Material, Mesh, Node, Primitive
from engine.components import Camera, Name, Transform, WorldTransform
from engine.events import Cut
from engine.render.shots import (
    MOVES,
    SHOTS,
    apply_move,
    avatar_facing,
    avatar_points,
    frame_shot,
    look_at,
    project,
)
from engine.render.shots_system import CameraRig, CameraRigPlugin
from engine.scene.runtime import scene_app

PORTRAIT, LANDSCAPE = 9.0 / 16.0, 16.0 / 9.0
FRONT = np.array([0.0, 0.0, 1.0])


@pytest.fixture(scope="module")
def guide() -> AvatarAsset:
    return make_avatar(AvatarParams.from_style("guide", 0))


@pytest.fixture(scope="module")
def points(guide: AvatarAsset) -> dict[str, np.ndarray]:
    return avatar_points(guide, Pose.rest(guide), np.eye(4))


def from_top(matrix: np.ndarray, point: np.ndarray, aspect: float, fov: float = 30.0) -> tuple[float, float]:
    """(x in [-1, 1], distance from the top edge in [0, 1]) of a point on screen."""
    ndc = project(matrix, point, aspect, fov)
    assert ndc[2] > 0.0, "point behind the camera"
    return float(ndc[0]), float((1.0 - ndc[1]) / 2.0)


def shifted(points: dict[str, np.ndarray], offset: tuple[float, float, float]) -> dict[str, np.ndarray]:
    return {k: v + np.array(offset) for k, v in points.items()}


def test_avatar_points_follow_the_humanoid(guide: AvatarAsset, points: dict[str, np.ndarray]) -> None:
    order = ["feet", "hips", "chest", "neck", "eyes", "head_top"]
    heights = [points[name][1] for name in order]
    assert heights == sorted(heights)
    assert abs(points["feet"][1]) < 0.03 and 1.5 < points["head_top"][1] < 1.9
    moved = np.eye(4)
    moved[:3, 3] = [1.0, 0.0, -2.0]
    there = avatar_points(guide, Pose.rest(guide), moved)
    assert np.allclose(there["eyes"] - points["eyes"], [1.0, 0.0, -2.0])
    turned = np.eye(4)
    turned[:3, :3] = [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]]  # 90 degrees about Y
    assert np.allclose(avatar_facing(guide, Pose.rest(guide), turned), [1.0, 0.0, 0.0], atol=1e-6)


def test_avatar_points_fallback_to_bounds() -> None:
    box = Primitive(np.array([[-0.3, 0.0, -0.2], [0.3, 2.0, 0.2], [0.3, 0.0, 0.2]], dtype=np.float32),
                    np.array([[0, 1, 2]], dtype=np.uint32))
    asset = AvatarAsset(None, nodes=[Node("statue", mesh=0)], meshes=[Mesh("m", [box])], roots=[0],
                        materials=[Material("m")])
    pts = avatar_points(asset, Pose.rest(asset), np.eye(4))
    assert abs(pts["head_top"][1] - 2.0) < 1e-6 and abs(pts["feet"][1]) < 1e-6
    assert pts["hips"][1] < pts["chest"][1] < pts["eyes"][1]


@pytest.mark.parametrize("aspect", [PORTRAIT, LANDSCAPE])
def test_close_up_puts_the_eyes_on_the_upper_third(points: dict[str, np.ndarray], aspect: float) -> None:
    cam = frame_shot("close_up", points, aspect, 30.0, FRONT)
    x, v = from_top(cam, points["eyes"], aspect)
    assert abs(v - 1.0 / 3.0) < 0.02 and abs(x) < 0.02
    assert 0.04 < from_top(cam, points["head_top"], aspect)[1] < 0.16  # headroom, head not cut
    assert from_top(cam, points["chest"], aspect)[1] > 0.7  # head and shoulders, chest near the bottom
    assert from_top(cam, points["hips"], aspect)[1] > 1.0
    assert points["eyes"][1] < cam[1, 3] < points["eyes"][1] + 0.15  # a little above eye level
    assert cam[1, 2] > 0.0  # looking slightly down (the camera's back axis tilts up)


@pytest.mark.parametrize("aspect", [PORTRAIT, LANDSCAPE])
def test_medium_frames_from_the_waist_with_headroom(points: dict[str, np.ndarray], aspect: float) -> None:
    cam = frame_shot("medium", points, aspect, 30.0, FRONT)
    assert 0.08 <= from_top(cam, points["head_top"], aspect)[1] <= 0.12
    assert from_top(cam, points["chest"], aspect)[1] < 1.0
    assert from_top(cam, points["hips"], aspect)[1] > 0.95
    assert points["chest"][1] < cam[1, 3] < points["eyes"][1]
    assert -0.02 < cam[1, 2] < 0.2  # level or slightly down


@pytest.mark.parametrize("aspect", [PORTRAIT, LANDSCAPE])
def test_full_shot_keeps_head_and_feet_in_frame(points: dict[str, np.ndarray], aspect: float) -> None:
    cam = frame_shot("full", points, aspect, 30.0, FRONT)
    top, feet = from_top(cam, points["head_top"], aspect)[1], from_top(cam, points["feet"], aspect)[1]
    assert 0.02 < top < 0.1 and 0.9 < feet < 0.98


@pytest.mark.parametrize("fov", [18.0, 30.0, 50.0])
def test_distance_follows_the_field_of_view(points: dict[str, np.ndarray], fov: float) -> None:
    cam = frame_shot("close_up", points, PORTRAIT, fov, FRONT)
    x, v = from_top(cam, points["eyes"], PORTRAIT, fov)
    assert abs(v - 1.0 / 3.0) < 0.02
    distance = float(np.linalg.norm(cam[:3, 3] - points["eyes"]))
    # the head's size on screen is the same, so distance scales with 1 / tan(fov / 2)
    assert distance * math.tan(math.radians(fov) / 2.0) == pytest.approx(0.25, rel=0.35)


def test_look_room_on_the_side_the_target_faces(points: dict[str, np.ndarray]) -> None:
    # head turned toward +X: screen right for a camera in front; the subject moves left of centre
    cam = frame_shot("medium", points, LANDSCAPE, 30.0, np.array([0.7, 0.0, 0.7]), view_dir=FRONT)
    x, _ = from_top(cam, points["eyes"], LANDSCAPE)
    assert -0.3 < x < -0.1
    cam = frame_shot("medium", points, LANDSCAPE, 30.0, np.array([-0.7, 0.0, 0.7]), view_dir=FRONT)
    assert 0.1 < from_top(cam, points["eyes"], LANDSCAPE)[0] < 0.3


def test_camera_matrix_is_a_proper_rotation(points: dict[str, np.ndarray]) -> None:
    for shot in SHOTS:
        cam = frame_shot(shot, points, PORTRAIT, 30.0, FRONT, shifted(points, (0.8, 0.0, 0.6)))
        r = cam[:3, :3]
        assert np.allclose(r.T @ r, np.eye(3), atol=1e-9) and np.linalg.det(r) == pytest.approx(1.0)
        assert r[1, 1] > 0.9  # no roll, upright


@pytest.mark.parametrize("aspect", [PORTRAIT, LANDSCAPE])
def test_two_shot_keeps_both_subjects_in_frame(points: dict[str, np.ndarray], aspect: float) -> None:
    a, b = shifted(points, (-0.55, 0.0, 0.0)), shifted(points, (0.55, 0.0, 0.1))
    cam = frame_shot("two_shot", a, aspect, 30.0, FRONT, b)
    for subject in (a, b):
        for name in ("head_top", "eyes", "chest"):
            x, v = from_top(cam, subject[name], aspect)
            assert -0.95 < x < 0.95 and 0.0 < v < 1.0
    assert from_top(cam, a["eyes"], aspect)[0] < from_top(cam, b["eyes"], aspect)[0]


def test_over_shoulder_looks_past_the_other_at_the_target(points: dict[str, np.ndarray]) -> None:
    other = shifted(points, (0.3, 0.0, 1.3))
    cam = frame_shot("over_shoulder", points, LANDSCAPE, 30.0, FRONT, other)
    x, v = from_top(cam, points["eyes"], LANDSCAPE)
    assert abs(v - 1.0 / 3.0) < 0.02 and 0.2 < x < 0.4
    ox, _ = from_top(cam, other["neck"], LANDSCAPE)  # the foreground shoulder on the other side
    assert -1.2 < ox < 0.0
    assert np.linalg.norm(cam[:3, 3] - points["eyes"]) > np.linalg.norm(other["eyes"] - points["eyes"])
    # without a second subject it falls back to a medium shot
    assert np.allclose(frame_shot("over_shoulder", points, LANDSCAPE, 30.0, FRONT),
                       frame_shot("medium", points, LANDSCAPE, 30.0, FRONT))


def test_unknown_shot_and_move_are_errors(points: dict[str, np.ndarray]) -> None:
    with pytest.raises(ValueError, match="close_up"):
        frame_shot("extreme", points, PORTRAIT, 30.0, FRONT)
    with pytest.raises(ValueError, match="handheld"):
        apply_move(np.eye(4), "crane", 1.0)


@pytest.mark.parametrize("move", MOVES)
def test_moves_are_deterministic_bounded_and_keep_the_target(points: dict[str, np.ndarray], move: str) -> None:
    cam = frame_shot("medium", points, PORTRAIT, 30.0, FRONT)
    eyes = points["eyes"]
    start = apply_move(cam, move, 0.0, 1.0, 3, eyes)
    assert np.linalg.norm(start[:3, 3] - cam[:3, 3]) < 0.01  # cuts land on the framed shot
    distance = float(np.linalg.norm(cam[:3, 3] - eyes))
    for t in np.linspace(0.0, 30.0, 61):
        m = apply_move(cam, move, float(t), 1.0, 3, eyes)
        assert np.array_equal(m, apply_move(cam, move, float(t), 1.0, 3, eyes))
        assert np.linalg.norm(m[:3, 3] - cam[:3, 3]) < 0.3 * distance
        x, v = from_top(m, eyes, PORTRAIT)
        assert abs(x) < 0.15 and 0.1 < v < 0.4  # the face stays where the shot put it


def test_push_in_approaches_and_eases(points: dict[str, np.ndarray]) -> None:
    cam = frame_shot("medium", points, PORTRAIT, 30.0, FRONT)
    eyes = points["eyes"]
    d = [float(np.linalg.norm(apply_move(cam, "push_in", t, 1.0, 0, eyes)[:3, 3] - eyes)) for t in range(0, 11)]
    assert all(b <= a + 1e-12 for a, b in zip(d, d[1:], strict=False)) and d[-1] < 0.85 * d[0]
    assert d[0] - d[1] < d[3] - d[4]  # slow start
    faster = float(np.linalg.norm(apply_move(cam, "push_in", 2.0, 2.0, 0, eyes)[:3, 3] - eyes))
    assert faster == pytest.approx(d[4])  # speed scales time


def test_handheld_is_small_smooth_and_seeded(points: dict[str, np.ndarray]) -> None:
    cam = frame_shot("close_up", points, PORTRAIT, 30.0, FRONT)
    eyes = points["eyes"]
    times = np.arange(0.0, 10.0, 1.0 / 30.0)
    a = np.array([apply_move(cam, "handheld", t, 1.0, 1, eyes) for t in times])
    b = np.array([apply_move(cam, "handheld", t, 1.0, 2, eyes) for t in times])
    offsets = np.linalg.norm(a[:, :3, 3] - cam[:3, 3], axis=1)
    assert 0.0005 < offsets.max() < 0.01  # a few millimetres
    angle = np.degrees(np.arccos(np.clip((np.einsum("nij,ij->n", a[:, :3, :3], cam[:3, :3]) - 1) / 2, -1, 1)))
    assert 0.02 < angle.max() < 1.0  # a fraction of a degree
    assert np.abs(np.diff(a[:, :3, 3], axis=0)).max() < 0.002  # smooth frame to frame
    assert not np.allclose(a, b)


def test_look_at_points_minus_z_at_the_target() -> None:
    m = look_at(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 0.0]))
    assert np.allclose(-m[:3, 2], [0.0, 0.0, -1.0]) and np.allclose(m[:3, 0], [1.0, 0.0, 0.0])


# -- the camera rig system on a real scene ------------------------------------------------------

RIG_SCENE = """
[scene]
id = "rig"
title = "Rig"

[[entity]]
name = "host"
[entity.avatar]
style = "guide"
[entity.transform]
position = [0.5, 0.0, -1.0]

[[entity]]
name = "wide"
[entity.camera]
fov_deg = 30.0
target = "host"
[entity.transform]
position = [0.0, 1.4, 4.0]

[[entity]]
name = "close"
[entity.camera]
fov_deg = 30.0
active = true
target = "host"
"""


def _scene(project):  # noqa: ANN001, ANN202 - the conftest fixture type
    app, _ = scene_app(project.scene(RIG_SCENE))
    app.add_plugin(CameraRigPlugin(aspect=PORTRAIT))
    names = {n.value: e for e, n in app.world.query_one(Name)}
    return app, names


def _host_points(app, host: int) -> dict[str, np.ndarray]:  # noqa: ANN001
    from engine.components.avatar import AvatarModel, PoseState

    model, state = app.world.get(host, AvatarModel), app.world.get(host, PoseState)
    return avatar_points(model.asset, state.pose, app.world.get(host, WorldTransform).matrix)


def test_update_cameras_frames_the_target_and_follows_cuts(project) -> None:  # noqa: ANN001
    app, names = _scene(project)
    world = app.world
    cameras = dict(world.query_one(Camera))
    assert sum(c.active for c in cameras.values()) == 1 and cameras[names["wide"]].active  # the first wins
    world.events.send(Cut(names["wide"], shot="medium"))
    app.run(3)
    wide = world.get(names["wide"], WorldTransform).matrix
    pts = _host_points(app, names["host"])
    assert 0.06 < from_top(wide, pts["head_top"], PORTRAIT)[1] < 0.14
    assert abs(from_top(wide, pts["eyes"], PORTRAIT)[0]) < 0.1
    transform = world.get(names["wide"], Transform)
    assert np.isclose(np.linalg.norm(transform.rotation), 1.0)

    world.events.send(Cut(names["close"], shot="close_up"))
    app.run(2)
    assert [c.active for _, c in sorted(world.query_one(Camera))] == [False, True]
    close = world.get(names["close"], WorldTransform).matrix
    pts = _host_points(app, names["host"])
    assert abs(from_top(close, pts["eyes"], PORTRAIT)[1] - 1.0 / 3.0) < 0.04
    assert np.linalg.norm(close[:3, 3] - pts["eyes"]) < np.linalg.norm(wide[:3, 3] - pts["eyes"])
    # the wide camera keeps its last placement while inactive
    assert np.allclose(world.get(names["wide"], WorldTransform).matrix, wide)


def test_update_cameras_is_deterministic_and_uses_camera_fields(project) -> None:  # noqa: ANN001
    runs = []
    for _ in range(2):
        app, names = _scene(project)
        camera = app.world.get(names["wide"], Camera)
        fields = {f.name for f in dataclasses.fields(Camera)}
        if "move" in fields:
            camera.move = "handheld"
        app.world.events.send(Cut(names["wide"], shot="full"))
        app.run(6)
        runs.append(app.world.get(names["wide"], WorldTransform).matrix.copy())
        assert isinstance(app.world.resources.get(CameraRig), CameraRig)
        app.world.close()
    assert np.array_equal(runs[0], runs[1])


TWO_SCENE = """
[scene]
id = "two"
title = "Two"

[[entity]]
name = "host"
[entity.avatar]
style = "guide"
[entity.transform]
position = [-0.5, 0.0, 0.0]

[[entity]]
name = "guest"
[entity.avatar]
style = "casual"
[entity.transform]
position = [0.6, 0.0, 0.1]

[[entity]]
name = "cam"
[entity.camera]
fov_deg = 30.0
target = "host"
subject = "guest"
shot = "two_shot"
move = "orbit"
"""


def test_scene_declared_shot_with_subject(project) -> None:  # noqa: ANN001
    if "subject" not in {f.name for f in dataclasses.fields(Camera)}:
        pytest.skip("Camera has no shot/subject fields yet")
    app, _ = scene_app(project.scene(TWO_SCENE))
    app.add_plugin(CameraRigPlugin(aspect=LANDSCAPE))
    names = {n.value: e for e, n in app.world.query_one(Name)}
    app.run(4)
    cam = app.world.get(names["cam"], WorldTransform).matrix
    xs = []
    for who in ("host", "guest"):
        pts = _host_points(app, names[who])
        x, v = from_top(cam, pts["eyes"], LANDSCAPE)
        assert -0.95 < x < 0.95 and 0.05 < v < 0.6
        xs.append(x)
    assert xs[0] < xs[1]  # host on screen left, as in the room


def test_staging_modules_stay_panda_free_and_agree_on_names() -> None:
    import subprocess
    import sys

    from engine.components import staging

    assert SHOTS == staging.SHOTS and MOVES == getattr(staging, "CAMERA_MOVES", MOVES)
    code = ("import sys, engine.render.shots, engine.render.shots_system, engine.render.lighting, engine.sets; "
            "sys.exit(any(m.split('.')[0] in ('panda3d', 'direct') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
