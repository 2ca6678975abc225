"""Avatars in a running scene: built-in and file avatars load, idle, gesture and deform."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from engine.anim.pose import node_world_position
from engine.assets.library import AvatarLibrary
from engine.components.avatar import AvatarModel, DeformedMeshes, Motion, PoseState
from engine.scene.runtime import scene_app
from tests.conftest import HEADER, TESTDATA

GESTURE_SCENE = HEADER + """
[[entity]]
name = "host"
[entity.avatar]
style = "guide"
seed = 3

[[cue]]
at = 1.0
do = "gesture"
who = "host"
gesture = "wave"
"""


def _avatar(app):
    ((entity, components),) = app.world.query(AvatarModel, PoseState, Motion, DeformedMeshes)
    return entity, components


def _hand_height(app) -> float:
    _, (model, state, _, _) = _avatar(app)
    hand = model.asset.vrm.humanoid["rightHand"]
    return float(node_world_position(model.asset, state.pose, hand)[1])


def test_builtin_avatar_idles_waves_and_deforms(project):
    app, _ = scene_app(project.scene(GESTURE_SCENE))
    app.run(15)  # 0.5 s of idle
    _, (model, state, motion, meshes) = _avatar(app)
    assert motion.player is not None
    rest_hand = _hand_height(app)
    first = [p.copy() for p in meshes.positions]
    assert len(first) == len(meshes.parts) > 0
    app.run(30)  # the wave starts at 1.0 s
    assert _hand_height(app) > rest_hand + 0.3, "waving raises the right hand well above its idle height"
    moved = max(float(np.abs(a - b).max()) for a, b in zip(first, meshes.positions, strict=True))
    assert moved > 0.1
    app.run(120)  # the wave is over; the idle keeps breathing
    assert abs(_hand_height(app) - rest_hand) < 0.15


def test_avatar_motion_is_deterministic(project):
    path = project.scene(GESTURE_SCENE)
    results = []
    for _ in range(2):
        app, _ = scene_app(path)
        app.run(40)
        results.append(np.concatenate(_avatar(app)[1][3].positions))
    assert np.array_equal(results[0], results[1])


@pytest.mark.skipif(not TESTDATA.is_dir(), reason="../shared/testdata is absent (a user's clone)")
def test_a_vrm_file_avatar_plays_gestures(project):
    # a temporary copy in the test's own project folder, never in the repository
    shutil.copy(TESTDATA / "vrm" / "Godette_vrm_v4.vrm", project.root / "assets" / "godette.vrm")
    scene = GESTURE_SCENE.replace('style = "guide"\nseed = 3', 'asset = "godette.vrm"')
    app, _ = scene_app(project.scene(scene))
    app.run(15)
    rest_hand = _hand_height(app)
    app.run(30)
    assert _hand_height(app) > rest_hand + 0.2


def test_a_broken_avatar_file_falls_back_to_the_builtin_one(project):
    (project.root / "assets" / "broken.glb").write_bytes(b"glTF\x02\x00\x00\x00garbage")
    scene = GESTURE_SCENE.replace('style = "guide"\nseed = 3', 'asset = "broken.glb"')
    app, _ = scene_app(project.scene(scene))
    app.run(40)
    library = app.world.resources.get(AvatarLibrary)
    (problem,) = library.problems
    assert "broken.glb" in problem and "built-in presenter avatar instead" in problem
    _, (model, *_rest) = _avatar(app)
    assert model.asset.generator == "Persona avatar maker"


def test_rigid_mesh_normals_stay_unit_under_scale(project):
    """An unskinned mesh on a scaled, rotated node: positions move, normals stay unit and correct."""
    from engine.assets.gltf_writer import write_glb
    from engine.assets.model import AvatarAsset, Mesh, Node, Primitive
    from engine.mathx import quat_from_euler_deg

    triangle = Primitive(positions=np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], np.float32),
                         indices=np.array([[0, 1, 2]], np.uint32),
                         normals=np.array([[0, 0, 1]] * 3, np.float32))
    node = Node("tri", mesh=0, rotation=quat_from_euler_deg(0, 90, 0), scale=np.array([0.01, 0.01, 0.01]))
    write_glb(AvatarAsset(path=None, nodes=[node], meshes=[Mesh("tri", [triangle])], roots=[0]),
              project.root / "assets" / "tri.glb")
    scene = HEADER + '[[entity]]\nname = "t"\n[entity.avatar]\nasset = "tri.glb"\n'
    app, _ = scene_app(project.scene(scene))
    app.run(2)
    ((_, meshes),) = app.world.query_one(DeformedMeshes)
    (positions,), (normals,) = meshes.positions, meshes.normals
    assert np.allclose(positions[1], [0.0, 0.0, -0.01], atol=1e-6)  # +X turned 90 degrees about Y
    assert np.allclose(normals, [[1.0, 0.0, 0.0]] * 3, atol=1e-6)
