"""The built-in digital human and the GLB writer: validity, skeleton, morphs, weights, determinism, atomicity."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from engine.assets import gltf_writer, validator
from engine.assets.gltf_writer import build_glb, write_glb
from engine.assets.hierarchy import rest_world_matrices
from engine.assets.maker import HAIR_STYLES, OUTFITS, AvatarParams, make_avatar
from engine.assets.maker.head import MOUTH_Y
from engine.assets.model import (
    ARKIT_BLENDSHAPES,
    EXPRESSION_PRESETS,
    REQUIRED_HUMANOID_BONES,
    VISEMES,
)
from engine.components.staging import AVATAR_STYLES


@pytest.fixture(scope="module")
def asset():
    return make_avatar(AvatarParams.from_style("presenter", 7))


@pytest.fixture(scope="module")
def glb_path(asset, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("avatar") / "presenter.glb"
    write_glb(asset, path)
    return path


def _gltf_json(path: Path) -> dict:
    data = path.read_bytes()
    magic, version, length = struct.unpack("<4sII", data[:12])
    assert (magic, version, length) == (b"glTF", 2, len(data))
    size, kind = struct.unpack("<I4s", data[12:20])
    assert kind == b"JSON" and size % 4 == 0
    return json.loads(data[20:20 + size])


def _face(asset):
    mesh = asset.meshes[0]
    positions = np.concatenate([p.positions for p in mesh.primitives])
    deltas = {name: np.concatenate([p.targets[i].positions for p in mesh.primitives])
              for i, name in enumerate(mesh.target_names)}
    return positions, deltas


def _head_frame(asset):
    world = rest_world_matrices(asset)
    left_eye = world[asset.node_index("leftEye")][:3, 3]
    right_eye = world[asset.node_index("rightEye")][:3, 3]
    return left_eye, right_eye


def test_validator_reports_no_errors(glb_path):
    if not validator.available():
        pytest.skip("the Khronos glTF validator is not installed (run `make setup`)")
    report = validator.validate_file(glb_path)
    assert report.errors == 0, report.error_messages()[:10]


def test_file_is_small_and_well_formed(glb_path):
    assert glb_path.stat().st_size < 1_500_000
    doc = _gltf_json(glb_path)
    assert doc["asset"]["version"] == "2.0"
    assert "VRMC_vrm" in doc["extensionsUsed"]
    for accessor in doc["accessors"]:
        assert accessor.get("byteOffset", 0) % 4 == 0
    for view in doc["bufferViews"]:
        assert view["byteOffset"] % 4 == 0


def test_vrm_humanoid_meta_and_expressions(asset, glb_path):
    vrm = _gltf_json(glb_path)["extensions"]["VRMC_vrm"]
    assert vrm["specVersion"] == "1.0"
    bones = vrm["humanoid"]["humanBones"]
    for name in REQUIRED_HUMANOID_BONES + ("neck", "chest", "upperChest", "leftEye", "rightEye", "jaw",
                                           "leftShoulder", "leftThumbMetacarpal", "leftLittleDistal", "rightToes"):
        assert name in bones, name
        assert asset.nodes[bones[name]["node"]].name == name
    meta = vrm["meta"]
    assert meta["authors"] == ["Persona"]
    assert meta["avatarPermission"] == "everyone" and meta["commercialUsage"] == "corporation"
    assert meta["creditNotation"] == "unnecessary" and meta["allowRedistribution"] is True
    assert meta["modification"] == "allowModificationRedistribution"
    assert meta["licenseUrl"] == "https://vrm.dev/licenses/1.0/"
    preset = vrm["expressions"]["preset"]
    assert set(EXPRESSION_PRESETS) <= set(preset)
    face_node = asset.node_index("Face")
    for viseme in VISEMES:
        bind = preset[viseme]["morphTargetBinds"][0]
        assert bind["node"] == face_node
        assert asset.meshes[0].target_names[bind["index"]] == viseme
    assert preset["happy"]["overrideBlink"] == "blend"
    assert vrm["lookAt"]["type"] == "bone"


def test_rest_pose_is_a_standing_t_pose(asset):
    for node in asset.nodes:
        assert np.allclose(node.rotation, [0, 0, 0, 1])
    world = rest_world_matrices(asset)
    heights = np.concatenate([p.positions[:, 1] for m in asset.meshes for p in m.primitives])
    assert -1e-6 <= heights.min() < 0.01
    assert 1.6 <= heights.max() <= 1.9
    hand = world[asset.node_index("leftHand")][:3, 3]
    shoulder = world[asset.node_index("leftUpperArm")][:3, 3]
    assert hand[0] > shoulder[0] + 0.4 and abs(hand[1] - shoulder[1]) < 0.02  # left arm along +X
    eye = world[asset.node_index("leftEye")][:3, 3]
    assert eye[0] > 0 and eye[2] > 0.0  # the avatar faces +Z; its left is +X


def test_all_morph_targets_present_and_visible(asset):
    assert set(ARKIT_BLENDSHAPES) | set(VISEMES) <= set(asset.morph_names())
    _, deltas = _face(asset)
    for name in ARKIT_BLENDSHAPES + VISEMES:
        assert np.linalg.norm(deltas[name], axis=1).max() > 0.002, name


def test_morphs_stay_in_their_regions(asset):
    positions, deltas = _face(asset)
    left_eye, right_eye = _head_frame(asset)
    moved = {name: np.linalg.norm(d, axis=1) > 1e-6 for name, d in deltas.items()}
    blink = positions[moved["eyeBlinkLeft"]]
    assert np.all(blink[:, 0] > 0)
    assert np.all(np.linalg.norm(blink - left_eye, axis=1) < 0.045)
    blink_r = positions[moved["eyeBlinkRight"]]
    assert np.all(blink_r[:, 0] < 0) and np.all(np.linalg.norm(blink_r - right_eye, axis=1) < 0.045)
    assert np.all(positions[moved["mouthSmileLeft"]][:, 0] > 0)
    assert np.all(positions[moved["mouthSmileRight"]][:, 0] < 0)
    # The left corner goes up when smiling.
    assert deltas["mouthSmileLeft"][:, 1].max() > 0.003
    eye_y = left_eye[1]
    jaw = positions[moved["jawOpen"]]
    assert np.all(jaw[:, 1] < eye_y - 0.02)
    assert deltas["jawOpen"][:, 1].min() < -0.01  # the chin and lower lip drop by more than a centimetre
    brow = positions[moved["browInnerUp"]]
    assert np.all(brow[:, 1] > eye_y - 0.01) and np.all(deltas["browInnerUp"][:, 1] >= 0)
    look = positions[moved["eyeLookUpLeft"]]
    assert np.all(np.linalg.norm(look - left_eye, axis=1) < 0.03)
    assert deltas["tongueOut"][:, 2].max() > 0.015


def test_mouth_slit_opens(asset):
    positions, deltas = _face(asset)
    layout_mouth = positions[np.abs(positions[:, 0]) < 0.005]
    assert len(layout_mouth)
    # Coincident vertex pairs on the lip line split apart when the jaw opens.
    opened = positions + deltas["jawOpen"]
    rounded = np.round(positions, 6)
    _, inverse, counts = np.unique(rounded, axis=0, return_inverse=True, return_counts=True)
    pairs = counts[inverse] > 1
    assert pairs.sum() > 10
    assert np.ptp(opened[pairs][:, 1]) > 0.005
    assert MOUTH_Y < 0


def test_skin_weights(asset):
    joint_count = len(asset.skins[0].joints)
    for mesh in asset.meshes:
        for prim in mesh.primitives:
            assert prim.joints.shape[1] == 4 and prim.weights.shape[1] == 4
            assert np.allclose(prim.weights.sum(axis=1), 1.0, atol=1e-5)
            assert prim.weights.min() >= 0 and prim.joints.max() < joint_count


def test_weights_blend_across_the_elbow(asset):
    body = asset.meshes[1]
    world = rest_world_matrices(asset)
    elbow = world[asset.node_index("leftLowerArm")][:3, 3]
    upper, lower = asset.node_index("leftUpperArm"), asset.node_index("leftLowerArm")
    for prim in body.primitives:
        near = np.linalg.norm(prim.positions - elbow, axis=1) < 0.06
        if not near.any():
            continue
        w_upper = np.where(prim.joints[near] == upper, prim.weights[near], 0).sum(axis=1)
        w_lower = np.where(prim.joints[near] == lower, prim.weights[near], 0).sum(axis=1)
        blended = (w_upper > 0.2) & (w_lower > 0.2)
        assert blended.any()


def test_same_params_same_bytes_and_seeds_differ():
    a = build_glb(make_avatar(AvatarParams.from_style("casual", 3)))
    b = build_glb(make_avatar(AvatarParams.from_style("casual", 3)))
    c = build_glb(make_avatar(AvatarParams.from_style("casual", 4)))
    assert a == b
    assert a != c
    assert AvatarParams.from_style("casual", 3) != AvatarParams.from_style("casual", 4)


def test_params_from_style_and_overrides():
    params = AvatarParams.from_style("guide", 1, hair_style="bob", height="1.75", hair_color="#2b1a10")
    assert params.outfit == "uniform" and params.hair_style == "bob" and params.height == 1.75
    with pytest.raises(ValueError):
        AvatarParams.from_style("guide", 1, hair_style="mohawk")
    with pytest.raises(ValueError):
        AvatarParams.from_style("nope", 1)
    with pytest.raises(ValueError):
        AvatarParams.from_style("guide", 1, hair_color="#zzzzzz")


@pytest.mark.parametrize("style", AVATAR_STYLES)
def test_every_style_builds(style):
    made = make_avatar(AvatarParams.from_style(style, 11))
    assert 8_000 < made.vertex_count < 40_000
    assert made.vrm is not None and made.vrm.meta.name


@pytest.mark.slow
@pytest.mark.parametrize("hair_style", HAIR_STYLES)
@pytest.mark.parametrize("outfit", OUTFITS)
def test_every_hair_style_and_outfit_builds(hair_style, outfit, tmp_path):
    made = make_avatar(AvatarParams.from_style("casual", 2, hair_style=hair_style, outfit=outfit))
    data = build_glb(made)
    assert len(data) < 1_600_000
    hair = made.meshes[2]
    assert hair.primitives[0].vertex_count > 100


def test_each_hair_style_has_its_own_shape():
    """Every hair style builds (paired with each outfit in turn) and gives a different hair mesh."""
    shapes = set()
    for hair_style, outfit in zip(HAIR_STYLES, OUTFITS * 2, strict=False):
        made = make_avatar(AvatarParams.from_style("business", 5, hair_style=hair_style, outfit=outfit))
        assert made.triangle_count > 10_000
        hair = next(m for m in made.meshes if m.name.lower().startswith("hair"))
        points = np.concatenate([p.positions for p in hair.primitives])
        shapes.add((len(points), round(float(np.ptp(points[:, 1])), 3), round(float(np.ptp(points[:, 2])), 3)))
    assert len(shapes) == len(HAIR_STYLES)


def test_all_hair_and_outfits_validate(tmp_path):
    if not validator.available():
        pytest.skip("the Khronos glTF validator is not installed (run `make setup`)")
    path = tmp_path / "long_dress.glb"
    write_glb(make_avatar(AvatarParams.from_style("casual", 9, hair_style="long", outfit="dress")), path)
    assert validator.validate_file(path).errors == 0


def test_write_is_atomic(asset, tmp_path, monkeypatch):
    target = tmp_path / "avatar.glb"

    def broken(handle, data: bytes) -> None:
        handle.write(data[: len(data) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(gltf_writer, "_write_all", broken)
    with pytest.raises(OSError):
        write_glb(asset, target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_old_file(asset, tmp_path, monkeypatch):
    target = tmp_path / "avatar.glb"
    target.write_bytes(b"old")
    monkeypatch.setattr(gltf_writer, "_write_all", lambda handle, data: (_ for _ in ()).throw(OSError("boom")))
    with pytest.raises(OSError):
        write_glb(asset, target)
    assert target.read_bytes() == b"old"


def test_round_trip_through_the_loader(asset, glb_path):
    from engine.assets.loader import load_avatar

    loaded = load_avatar(glb_path)
    assert loaded.vertex_count == asset.vertex_count and loaded.warnings == []
    assert set(ARKIT_BLENDSHAPES) <= set(loaded.morph_names())
    assert loaded.vrm is not None and set(REQUIRED_HUMANOID_BONES) <= set(loaded.vrm.humanoid)
    for made_mesh, read_mesh in zip(asset.meshes, loaded.meshes, strict=True):
        for made, read in zip(made_mesh.primitives, read_mesh.primitives, strict=True):
            assert np.allclose(made.positions, read.positions, atol=1e-6)
            # weights travel as normalised uint16: within one step of 1/65535 per influence
            assert np.allclose(made.weights, read.weights, atol=1e-4)
            for made_target, read_target in zip(made.targets, read.targets, strict=True):
                assert made_target.name == read_target.name
                assert np.allclose(made_target.positions, read_target.positions, atol=1e-6)


def test_shipped_avatars_exist_and_are_small():
    folder = Path(__file__).resolve().parents[1] / "assets" / "avatars"
    files = sorted(folder.glob("*.glb"))
    assert {f.stem for f in files} >= set(AVATAR_STYLES)
    for file in files:
        assert file.stat().st_size < 1_500_000


@pytest.mark.slow
@pytest.mark.parametrize("style", AVATAR_STYLES)
def test_shipped_avatars_are_what_the_maker_makes_today(style):
    """assets/README.md says they regenerate byte for byte; a maker change must refresh them."""
    shipped = Path(__file__).resolve().parents[1] / "assets" / "avatars" / f"{style}.glb"
    assert build_glb(make_avatar(AvatarParams.from_style(style, 7))) == shipped.read_bytes()
