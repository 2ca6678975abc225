"""The glTF / VRM loader against real sample files, small synthetic files, and one broken file per error kind."""

from __future__ import annotations

import base64
import json
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from engine.assets.cache import AssetCache
from engine.assets.errors import AssetError
from engine.assets.hierarchy import rest_world_matrices
from engine.assets.inspect import format_inspect, inspect_avatar
from engine.assets.loader import load_avatar

TESTDATA = Path(__file__).resolve().parents[1].parent / "shared" / "testdata"
GLTF_DIR, VRM_DIR = TESTDATA / "gltf", TESTDATA / "vrm"
needs_testdata = pytest.mark.skipif(not (GLTF_DIR.is_dir() and VRM_DIR.is_dir()),
                                    reason=f"third-party sample models not found at {TESTDATA}")
SAMPLES = ["gltf/Fox.glb", "gltf/RiggedFigure.glb", "gltf/RiggedSimple.glb", "gltf/SimpleSkin.gltf",
           "gltf/SimpleMorph.gltf", "vrm/Godette_vrm_v4.vrm", "vrm/VRMC_vrm_expressions_isBinary_Overrides.vrm"]


# --- raw file access, independent of the loader ---------------------------------------------------
def read_glb(path: Path) -> tuple[dict, bytes]:
    """(JSON, BIN chunk) of a GLB, read with struct and json only."""
    data = path.read_bytes()
    json_len = struct.unpack_from("<I", data, 12)[0]
    tree = json.loads(data[20:20 + json_len])
    rest = 20 + json_len
    binary = b""
    if rest + 8 <= len(data):
        bin_len = struct.unpack_from("<I", data, rest)[0]
        binary = data[rest + 8:rest + 8 + bin_len]
    return tree, binary


def write_glb(path: Path, tree: dict, binary: bytes) -> Path:
    """A GLB with ``tree`` as its JSON chunk and ``binary`` as its BIN chunk."""
    text = json.dumps(tree).encode()
    text += b" " * (-len(text) % 4)
    binary = bytes(binary) + b"\0" * (-len(binary) % 4)
    body = struct.pack("<II", len(text), 0x4E4F534A) + text + struct.pack("<II", len(binary), 0x004E4942) + binary
    path.write_bytes(b"glTF" + struct.pack("<II", 2, 12 + len(body)) + body)
    return path


def raw_json(relative: str) -> dict:
    path = TESTDATA / relative
    return json.loads(path.read_text("utf-8")) if path.suffix == ".gltf" else read_glb(path)[0]


# --- every sample: counts read straight from the JSON ---------------------------------------------
@needs_testdata
@pytest.mark.parametrize("relative", SAMPLES)
def test_sample_counts_match_the_raw_json(relative: str) -> None:
    tree = raw_json(relative)
    asset = load_avatar(TESTDATA / relative)
    accessors = tree.get("accessors", [])
    assert len(asset.nodes) == len(tree.get("nodes", []))
    assert [len(s.joints) for s in asset.skins] == [len(s["joints"]) for s in tree.get("skins", [])]
    assert [list(s.joints) for s in asset.skins] == [s["joints"] for s in tree.get("skins", [])]
    vertices = triangles = 0
    for mesh, raw in zip(asset.meshes, tree.get("meshes", []), strict=True):
        count = len(raw["primitives"][0].get("targets", []))
        names = (raw.get("extras", {}).get("targetNames") or raw["primitives"][0].get("extras", {}).get("targetNames")
                 or [f"target{i}" for i in range(count)])
        assert mesh.target_names == names
        for prim in raw["primitives"]:
            n = accessors[prim["attributes"]["POSITION"]]["count"]
            vertices += n
            triangles += (accessors[prim["indices"]]["count"] if "indices" in prim else n) // 3
    assert asset.vertex_count == vertices
    assert asset.triangle_count == triangles
    assert len(asset.materials) == len(tree.get("materials", []))
    assert len(asset.images) == len(tree.get("images", []))
    raw_animations = tree.get("animations", [])
    assert [a.name for a in asset.animations] == [a.get("name", f"animation{i}") for i, a in enumerate(raw_animations)]
    for clip, raw in zip(asset.animations, raw_animations, strict=True):
        duration = max(accessors[s["input"]]["max"][0] for s in raw["samplers"])
        assert clip.duration == pytest.approx(duration, abs=1e-5)
        assert len(clip.channels) == len(raw["channels"])
    assert asset.warnings == []


@needs_testdata
@pytest.mark.parametrize("relative", SAMPLES)
def test_sample_arrays_have_the_model_types(relative: str) -> None:
    asset = load_avatar(TESTDATA / relative)
    for mesh in asset.meshes:
        for prim in mesh.primitives:
            assert prim.positions.dtype == np.float32 and prim.positions.shape[1] == 3
            assert prim.indices.dtype == np.uint32 and prim.indices.shape[1] == 3
            assert int(prim.indices.max()) < prim.vertex_count
            if prim.weights is not None:
                assert prim.joints.dtype == np.uint16 and prim.joints.shape == prim.weights.shape
                assert prim.weights.shape[1] in (4, 8)
                np.testing.assert_allclose(prim.weights.sum(axis=1), 1.0, atol=1e-5)
            for target in prim.targets:
                assert target.positions.shape == prim.positions.shape
    for skin in asset.skins:
        assert skin.inverse_bind.shape == (len(skin.joints), 4, 4)
    summary = inspect_avatar(asset)
    assert json.loads(json.dumps(summary)) == summary
    assert summary["file"] in format_inspect(summary)


@needs_testdata
def test_matrix_nodes_decompose_to_the_same_matrix() -> None:
    tree = raw_json("gltf/RiggedSimple.glb")
    asset = load_avatar(GLTF_DIR / "RiggedSimple.glb")
    world = rest_world_matrices(asset)
    # Z_UP (root) and Armature both carry matrices; Armature's world matrix is their product.
    z_up = np.array(tree["nodes"][0]["matrix"]).reshape(4, 4).T
    armature = np.array(tree["nodes"][1]["matrix"]).reshape(4, 4).T
    np.testing.assert_allclose(world[1], z_up @ armature, atol=1e-6)


@needs_testdata
def test_fox_skin_and_animations() -> None:
    asset = load_avatar(GLTF_DIR / "Fox.glb")
    assert [c.name for c in asset.animations] == ["Survey", "Walk", "Run"]
    assert len(asset.skins[0].joints) == 24
    assert asset.images[0].mime == "image/png" and asset.images[0].data[:4] == b"\x89PNG"
    assert asset.materials[0].base_color_texture == 0
    summary = inspect_avatar(asset)
    assert summary["joints"]["count"] == 24 and summary["textures"]["count"] == 1


@needs_testdata
def test_simple_morph_weights_animation() -> None:
    asset = load_avatar(GLTF_DIR / "SimpleMorph.gltf")
    channel = asset.animations[0].channels[0]
    assert channel.path == "weights" and channel.values.shape == (len(channel.times), 2)
    np.testing.assert_allclose(asset.meshes[0].default_weights, raw_json("gltf/SimpleMorph.gltf")["meshes"][0]["weights"])


# --- VRM ----------------------------------------------------------------------------------------
@needs_testdata
def test_godette_vrm0_humanoid_expressions_and_meta() -> None:
    vrm_ext = raw_json("vrm/Godette_vrm_v4.vrm")["extensions"]["VRM"]
    asset = load_avatar(VRM_DIR / "Godette_vrm_v4.vrm")
    vrm = asset.vrm
    assert vrm is not None and vrm.spec_version == "0.0"
    assert len(vrm.humanoid) == len(vrm_ext["humanoid"]["humanBones"]) == 45
    raw_bones = {b["bone"]: b["node"] for b in vrm_ext["humanoid"]["humanBones"]}
    assert vrm.humanoid["leftThumbMetacarpal"] == raw_bones["leftThumbProximal"]
    assert vrm.humanoid["leftThumbProximal"] == raw_bones["leftThumbIntermediate"]
    assert vrm.humanoid["rightThumbDistal"] == raw_bones["rightThumbDistal"]
    assert set(vrm.expressions) == {"neutral", "aa", "ih", "ou", "ee", "oh", "blink", "happy", "angry", "sad",
                                    "relaxed", "lookUp", "lookDown", "lookLeft", "lookRight", "blinkLeft",
                                    "blinkRight"}
    groups = {g["presetName"]: g for g in vrm_ext["blendShapeMaster"]["blendShapeGroups"]}
    joy = vrm.expressions["happy"]
    assert [(b.mesh, b.target, b.weight) for b in joy.morph_binds] == [
        (b["mesh"], b["index"], b["weight"] / 100) for b in groups["joy"]["binds"]]
    assert vrm.expressions["blinkLeft"].is_binary and all(e.preset for e in vrm.expressions.values())
    assert len(asset.meshes[0].target_names) == 15
    meta = vrm.meta
    assert (meta.name, meta.version, meta.authors) == ("Low-Poly Godette", "0.21", ["SirRichard94"])
    assert meta.references == ["Adapted to VRM by Lyuma"]
    assert meta.avatar_permission == "everyone"  # allowedUserName Everyone
    assert meta.commercial_usage == "corporation"  # commercialUssageName Allow under CC BY
    assert meta.allow_violent and meta.allow_sexual
    assert meta.credit_notation == "required" and meta.allow_redistribution  # CC_BY
    assert meta.modification == "allowModificationRedistribution"
    assert asset.materials[0].mtoon is not None and asset.materials[0].mtoon["shader"] == "VRM/MToon"
    assert vrm.look_at.type == "expression"


@needs_testdata
def test_vrm1_expressions_overrides_and_meta() -> None:
    ext = raw_json("vrm/VRMC_vrm_expressions_isBinary_Overrides.vrm")["extensions"]["VRMC_vrm"]
    asset = load_avatar(VRM_DIR / "VRMC_vrm_expressions_isBinary_Overrides.vrm")
    vrm = asset.vrm
    assert vrm is not None and vrm.spec_version == "1.0"
    assert len(vrm.humanoid) == len(ext["humanoid"]["humanBones"]) == 22
    happy, blink = vrm.expressions["happy"], vrm.expressions["blink"]
    assert happy.is_binary and happy.override_blink == "blend" and happy.preset
    assert not blink.is_binary and blink.override_blink == "none"
    assert len(happy.material_binds) == 2 and happy.material_binds[0]["kind"] == "textureTransform"
    meta = vrm.meta
    assert meta.avatar_permission == "everyone" and meta.commercial_usage == "corporation"
    assert meta.credit_notation == "unnecessary" and meta.allow_redistribution
    assert meta.modification == "allowModificationRedistribution" and not meta.allow_antisocial_or_hate
    assert meta.authors == ["pixiv Inc."] and meta.license_url == "https://vrm.dev/licenses/1.0/"
    assert vrm.look_at.type == "expression"
    text = format_inspect(inspect_avatar(asset))
    assert "VRM 1.0" in text and "happy" in text and "blink=blend" in text


# --- containers and features built on the fly --------------------------------------------------
@needs_testdata
def test_gltf_with_external_bin(tmp_path: Path) -> None:
    tree = raw_json("gltf/SimpleSkin.gltf")
    for i, buffer in enumerate(tree["buffers"]):
        name = f"part {i}.bin"  # a space: the URI is percent-encoded
        (tmp_path / name).write_bytes(base64.b64decode(buffer["uri"].split(",", 1)[1]))
        buffer["uri"] = name.replace(" ", "%20")
    (tmp_path / "skin.gltf").write_text(json.dumps(tree))
    reference = load_avatar(GLTF_DIR / "SimpleSkin.gltf")
    asset = load_avatar(tmp_path / "skin.gltf")
    np.testing.assert_array_equal(asset.meshes[0].primitives[0].positions, reference.meshes[0].primitives[0].positions)


def tiny_gltf(tmp_path: Path, edit=None, name: str = "tiny.gltf") -> Path:
    """A four-vertex quad in one embedded buffer: positions, 8 joint influences, a sparse morph."""
    positions = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], np.float32)
    joints = np.array([[0, 1, 0, 0, 1, 0, 0, 0]] * 4, np.uint8)
    weights = np.array([[128, 64, 0, 0, 63, 0, 0, 0]] * 4, np.uint8)  # normalized: 255/255 = 1
    sparse_index = np.array([2], np.uint16)
    sparse_value = np.array([[0, 0, 0.5]], np.float32)
    times = np.array([0.0, 1.0], np.float32)
    cubic = np.arange(2 * 3 * 3, dtype=np.float32)
    blobs = [positions.tobytes(), joints[:, :4].tobytes(), joints[:, 4:].tobytes(), weights[:, :4].tobytes(),
             weights[:, 4:].tobytes(), sparse_index.tobytes() + b"\0\0", sparse_value.tobytes(), times.tobytes(),
             cubic.tobytes()]
    views, offset = [], 0
    for blob in blobs:
        views.append({"buffer": 0, "byteOffset": offset, "byteLength": len(blob)})
        offset += len(blob)
    data = b"".join(blobs)
    vec = {"componentType": 5121, "count": 4, "type": "VEC4"}
    tree = {
        "asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0, 1]}],
        "nodes": [{"mesh": 0, "skin": 0}, {"children": [2]}, {"matrix": [2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 1, 2, 3, 1]}],
        "skins": [{"joints": [1, 2]}],
        "meshes": [{"primitives": [
            {"attributes": {"POSITION": 0, "JOINTS_0": 1, "JOINTS_1": 2, "WEIGHTS_0": 3, "WEIGHTS_1": 4},
             "mode": 6, "targets": [{"POSITION": 5}]},
            {"attributes": {"POSITION": 0}, "mode": 5, "targets": [{"POSITION": 5}]},
            {"attributes": {"POSITION": 0}, "mode": 1, "targets": [{"POSITION": 5}]}],
            "extras": {"targetNames": ["lift"]}}],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": 4, "type": "VEC3"},
            {"bufferView": 1, **vec}, {"bufferView": 2, **vec},
            {"bufferView": 3, "normalized": True, **vec}, {"bufferView": 4, "normalized": True, **vec},
            {"componentType": 5126, "count": 4, "type": "VEC3", "sparse": {
                "count": 1, "indices": {"bufferView": 5, "componentType": 5123}, "values": {"bufferView": 6}}},
            {"bufferView": 7, "componentType": 5126, "count": 2, "type": "SCALAR", "max": [1.0]},
            {"bufferView": 8, "componentType": 5126, "count": 6, "type": "VEC3"}],
        "animations": [{"name": "wiggle", "channels": [{"sampler": 0, "target": {"node": 1, "path": "translation"}}],
                        "samplers": [{"input": 6, "output": 7, "interpolation": "CUBICSPLINE"}]}],
        "bufferViews": views,
        "buffers": [{"byteLength": len(data),
                     "uri": "data:application/octet-stream;base64," + base64.b64encode(data).decode()}],
    }
    if edit is not None:
        edit(tree)
    path = tmp_path / name
    path.write_text(json.dumps(tree))
    return path


def test_synthetic_features(tmp_path: Path) -> None:
    asset = load_avatar(tiny_gltf(tmp_path))
    fan, strip = asset.meshes[0].primitives  # the LINES primitive is skipped with a warning
    assert any("LINES" in w and "meshes[0].primitives[2].mode" in w for w in asset.warnings)
    assert fan.indices.tolist() == [[0, 1, 2], [0, 2, 3]]
    assert strip.indices.tolist() == [[0, 1, 2], [1, 3, 2]]  # glTF: odd triangles swap
    assert fan.joints.shape == (4, 8) and fan.joints.dtype == np.uint16
    np.testing.assert_allclose(fan.weights[0], np.array([128, 64, 0, 0, 63, 0, 0, 0]) / 255, atol=1e-6)
    assert fan.targets[0].name == "lift"
    np.testing.assert_allclose(fan.targets[0].positions, [[0, 0, 0], [0, 0, 0], [0, 0, 0.5], [0, 0, 0]])
    node = asset.nodes[2]
    np.testing.assert_allclose(node.translation, [1, 2, 3])
    np.testing.assert_allclose(node.scale, [2, 2, 2])
    np.testing.assert_allclose(node.rotation, [0, 0, 0, 1])
    channel = asset.animations[0].channels[0]
    cubic = np.arange(18, dtype=np.float32).reshape(2, 3, 3)
    np.testing.assert_array_equal(channel.in_tangents, cubic[:, 0])
    np.testing.assert_array_equal(channel.values, cubic[:, 1])
    np.testing.assert_array_equal(channel.out_tangents, cubic[:, 2])
    assert asset.animations[0].duration == 1.0
    assert asset.roots == [0, 1]


def test_weights_not_summing_to_one_are_normalised_with_a_warning(tmp_path: Path) -> None:
    def halve(tree: dict) -> None:  # WEIGHTS_1 all zero: rows sum to 192/255
        tree["accessors"][4].pop("bufferView")

    asset = load_avatar(tiny_gltf(tmp_path, halve))
    weights = asset.meshes[0].primitives[0].weights
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-6)
    assert any("tiny.gltf: meshes[0].primitives[0].attributes.WEIGHTS_0" in w and "normalised" in w
               for w in asset.warnings)


def test_cache_reloads_after_the_file_changes(tmp_path: Path) -> None:
    path = tiny_gltf(tmp_path)
    cache = AssetCache()
    first = cache.get(path)
    assert cache.get(path) is first and path in cache and cache.hits == 1
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = cache.get(path)
    assert second is not first and len(cache) == 1 and cache.misses == 2
    cache.invalidate(path)
    assert len(cache) == 0
    with pytest.raises(AssetError, match="missing.glb"):
        cache.get(tmp_path / "missing.glb")


# --- bad input: one test per error kind -----------------------------------------------------------
def broken(tmp_path: Path, source: str, edit) -> Path:
    """A copy of testdata ``source`` (a GLB) under tmp_path with ``edit(tree, bytearray)`` applied."""
    tree, binary = read_glb(TESTDATA / source)
    binary = bytearray(binary)
    edit(tree, binary)
    return write_glb(tmp_path / Path(source).name, tree, binary)


def expect(path: Path, message: str) -> AssetError:
    with pytest.raises(AssetError) as info:
        load_avatar(path)
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith(f"{path.name}: ")
    assert message in str(info.value), str(info.value)
    return info.value


@needs_testdata
@pytest.mark.parametrize(("offset", "value", "message"), [
    (0, b"gLTF", "Fox.glb: header.magic: wrong magic"),
    (4, struct.pack("<I", 3), "Fox.glb: header.version: version 3"),
])
def test_bad_header(tmp_path: Path, offset: int, value: bytes, message: str) -> None:
    data = bytearray((GLTF_DIR / "Fox.glb").read_bytes())
    data[offset:offset + len(value)] = value
    (tmp_path / "Fox.glb").write_bytes(data)
    expect(tmp_path / "Fox.glb", message)


@needs_testdata
def test_truncated_file_and_chunk(tmp_path: Path) -> None:
    data = (GLTF_DIR / "Fox.glb").read_bytes()
    (tmp_path / "Fox.glb").write_bytes(data[:20000])
    expect(tmp_path / "Fox.glb", "Fox.glb: header.length: 162852 bytes declared but the file has 20000")
    cut = bytearray(data[:20000])
    cut[8:12] = struct.pack("<I", 20000)  # a consistent header, a BIN chunk that runs past the end
    (tmp_path / "Fox.glb").write_bytes(cut)
    expect(tmp_path / "Fox.glb", "Fox.glb: chunks[1]: length")


@needs_testdata
def test_json_chunk_not_json(tmp_path: Path) -> None:
    data = bytearray((GLTF_DIR / "Fox.glb").read_bytes())
    data[20:21] = b"#"
    (tmp_path / "Fox.glb").write_bytes(data)
    expect(tmp_path / "Fox.glb", "Fox.glb: chunks[0]: not JSON")


@needs_testdata
def test_accessor_out_of_its_buffer_view(tmp_path: Path) -> None:
    path = broken(tmp_path, "gltf/Fox.glb", lambda t, b: t["accessors"][0].update(count=10_000))
    expect(path, "Fox.glb: accessors[0]: bytes 0..120000 run past the end of bufferViews[0]")


@needs_testdata
def test_buffer_view_out_of_its_buffer(tmp_path: Path) -> None:
    path = broken(tmp_path, "gltf/Fox.glb", lambda t, b: t["bufferViews"][0].update(byteOffset=10**6))
    expect(path, "Fox.glb: bufferViews[0]: bytes 1000000..")


@needs_testdata
def test_bad_component_type(tmp_path: Path) -> None:
    path = broken(tmp_path, "gltf/Fox.glb", lambda t, b: t["accessors"][1].update(componentType=5124))
    expect(path, "Fox.glb: accessors[1].componentType: bad component type 5124")


@needs_testdata
def test_joint_index_past_the_skins_joints(tmp_path: Path) -> None:
    def edit(tree: dict, binary: bytearray) -> None:
        acc = tree["accessors"][tree["meshes"][0]["primitives"][0]["attributes"]["JOINTS_0"]]
        start = tree["bufferViews"][acc["bufferView"]].get("byteOffset", 0) + acc.get("byteOffset", 0)
        binary[start:start + 8] = struct.pack("<4H", 47, 47, 47, 47)  # vertex 0, uint16 joints

    path = broken(tmp_path, "gltf/Fox.glb", edit)
    expect(path, "Fox.glb: meshes[0].primitives[0].attributes.JOINTS_0: index 47 >= 24 joints")


@needs_testdata
@pytest.mark.parametrize(("value", "message"), [(float("nan"), "NaN"), (-0.5, "negative weight at vertex 0")])
def test_nan_or_negative_weights(tmp_path: Path, value: float, message: str) -> None:
    def edit(tree: dict, binary: bytearray) -> None:
        acc = tree["accessors"][tree["meshes"][0]["primitives"][0]["attributes"]["WEIGHTS_0"]]
        start = tree["bufferViews"][acc["bufferView"]].get("byteOffset", 0) + acc.get("byteOffset", 0)
        binary[start:start + 4] = struct.pack("<f", value)

    path = broken(tmp_path, "gltf/Fox.glb", edit)
    expect(path, f"Fox.glb: meshes[0].primitives[0].attributes.WEIGHTS_0: {message}".replace(": NaN", ": contains NaN"))


@needs_testdata
def test_missing_texture_image_and_bad_image_index(tmp_path: Path) -> None:
    path = broken(tmp_path, "gltf/Fox.glb", lambda t, b: t["textures"][0].pop("source"))
    expect(path, "Fox.glb: textures[0].source: missing")
    path = broken(tmp_path, "gltf/Fox.glb", lambda t, b: t["textures"][0].update(source=7))
    expect(path, "Fox.glb: textures[0].source: index 7 >= 1 images")
    path = broken(tmp_path, "gltf/Fox.glb", lambda t, b: t["materials"][0]["pbrMetallicRoughness"]
                  ["baseColorTexture"].update(index=3))
    expect(path, "Fox.glb: materials[0].pbrMetallicRoughness.baseColorTexture.index: index 3 >= 1 textures")


@needs_testdata
def test_node_index_out_of_range(tmp_path: Path) -> None:
    path = broken(tmp_path, "gltf/Fox.glb", lambda t, b: t["nodes"][0].update(children=[2, 99]))
    expect(path, "Fox.glb: nodes[0].children[1]: node index 99 out of range 0..25")
    path = broken(tmp_path, "gltf/Fox.glb", lambda t, b: t["skins"][0]["joints"].__setitem__(3, 26))
    expect(path, "Fox.glb: skins[0].joints[3]: node index 26 out of range")
    path = broken(tmp_path, "gltf/Fox.glb", lambda t, b: t["nodes"][1].update(mesh=4))
    expect(path, "Fox.glb: nodes[1].mesh: index 4 >= 1 meshes")


@needs_testdata
def test_parent_cycle(tmp_path: Path) -> None:
    path = broken(tmp_path, "gltf/Fox.glb", lambda t, b: t["nodes"][3].setdefault("children", []).append(0))
    expect(path, "Fox.glb: nodes: parent cycle")
    path = broken(tmp_path, "gltf/Fox.glb", lambda t, b: t["nodes"][2]["children"].append(2))
    expect(path, "Fox.glb: nodes[2].children[1]: node 2 is its own child")


@needs_testdata
def test_vrm_bind_past_the_morph_targets(tmp_path: Path) -> None:
    def edit(tree: dict, binary: bytearray) -> None:
        tree["extensions"]["VRM"]["blendShapeMaster"]["blendShapeGroups"][1]["binds"][0]["index"] = 15

    path = broken(tmp_path, "vrm/Godette_vrm_v4.vrm", edit)
    expect(path, "Godette_vrm_v4.vrm: extensions.VRM.blendShapeMaster.blendShapeGroups[1].binds[0].index: "
                 "morph target 15 >= 15 targets of meshes[0]")


def test_urls_are_never_fetched(tmp_path: Path) -> None:
    path = tiny_gltf(tmp_path, lambda t: t["buffers"][0].update(uri="https://example.com/x.bin"))
    expect(path, "tiny.gltf: buffers[0].uri: 'https://example.com/x.bin' is not a relative file path")


def test_not_json_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "bad.gltf").write_text("{ nope")
    expect(tmp_path / "bad.gltf", "bad.gltf: not JSON")
    with pytest.raises(AssetError, match="gone.vrm: cannot read the file"):
        load_avatar(tmp_path / "gone.vrm")


def test_buffer_and_image_paths_may_not_leave_the_model_folder(tmp_path):
    """A .gltf under assets/ must not read files elsewhere through its own relative URIs."""
    import json as _json

    from engine.assets.errors import AssetError
    from engine.assets.loader import load_avatar

    (tmp_path / "secret.bin").write_bytes(b"\0" * 16)
    folder = tmp_path / "model"
    folder.mkdir()
    document = {"asset": {"version": "2.0"}, "buffers": [{"uri": "../secret.bin", "byteLength": 16}]}
    (folder / "escape.gltf").write_text(_json.dumps(document))
    with pytest.raises(AssetError, match=r"escape\.gltf: buffers\[0\]\.uri: .*leaves the folder"):
        load_avatar(folder / "escape.gltf")


def test_node_weights_override_the_mesh_defaults(tmp_path):
    import json as _json
    import struct as _struct

    from engine.anim.pose import Pose
    from engine.assets.loader import load_avatar

    positions = _struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, 0)
    delta = _struct.pack("<9f", 0, 0, 1, 0, 0, 1, 0, 0, 1)
    blob = positions + delta
    uri = "data:application/octet-stream;base64," + __import__("base64").b64encode(blob).decode()
    document = {
        "asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "weights": [0.8]}],
        "meshes": [{"weights": [0.3], "primitives": [{"attributes": {"POSITION": 0}, "targets": [{"POSITION": 1}]}]}],
        "buffers": [{"uri": uri, "byteLength": len(blob)}],
        "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": 36}, {"buffer": 0, "byteOffset": 36, "byteLength": 36}],
        "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3", "min": [0, 0, 0], "max": [1, 1, 0]},
                      {"bufferView": 1, "componentType": 5126, "count": 3, "type": "VEC3", "min": [0, 0, 1], "max": [0, 0, 1]}],
    }
    path = tmp_path / "weights.gltf"
    path.write_text(_json.dumps(document))
    asset = load_avatar(path)
    assert list(Pose.rest(asset).weights[0]) == [0.8]
    document["nodes"][0]["weights"] = [0.8, 0.1]
    path.write_text(_json.dumps(document))
    from engine.assets.errors import AssetError

    with pytest.raises(AssetError, match=r"nodes\[0\]\.weights: 2 weights for 1 morph targets"):
        load_avatar(path)
