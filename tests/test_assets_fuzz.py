"""Fuzzing the loader with mutated real files: it either loads or raises AssetError, nothing else."""

from __future__ import annotations

import json
import struct
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.assets.errors import AssetError
from engine.assets.inspect import format_inspect, inspect_avatar
from engine.assets.loader import load_avatar

TESTDATA = Path(__file__).resolve().parents[1].parent / "shared" / "testdata"
SMALL = ["gltf/RiggedSimple.glb", "gltf/SimpleSkin.gltf", "gltf/SimpleMorph.gltf",
         "vrm/VRMC_vrm_expressions_isBinary_Overrides.vrm"]
ALL = SMALL + ["gltf/Fox.glb", "gltf/RiggedFigure.glb", "vrm/Godette_vrm_v4.vrm"]
pytestmark = pytest.mark.skipif(not TESTDATA.is_dir(), reason=f"third-party sample models not found at {TESTDATA}")
# Values a JSON edit may put in place of a number, index or string.
REPLACEMENTS = st.one_of(
    st.integers(-3, 70), st.sampled_from([0, 1, 2, 3, 4, 5120, 5121, 5123, 5124, 5125, 5126, 2**31, 10**9, -1]),
    st.floats(allow_nan=True, allow_infinity=True), st.none(), st.booleans(), st.text(max_size=4),
    st.just([]), st.just({}), st.sampled_from(["VEC4", "MAT4", "SCALAR", "CUBICSPLINE", "STEP", "weights"]))


def _split(data: bytes) -> tuple[dict, bytes]:
    json_len = struct.unpack_from("<I", data, 12)[0]
    rest = 20 + json_len
    bin_len = struct.unpack_from("<I", data, rest)[0] if rest + 8 <= len(data) else 0
    return json.loads(data[20:rest]), data[rest + 8:rest + 8 + bin_len]


def _join(tree: dict, binary: bytes) -> bytes:
    text = json.dumps(tree).encode()
    text += b" " * (-len(text) % 4)
    binary += b"\0" * (-len(binary) % 4)
    body = struct.pack("<II", len(text), 0x4E4F534A) + text
    if binary:
        body += struct.pack("<II", len(binary), 0x004E4942) + binary
    return b"glTF" + struct.pack("<II", 2, 12 + len(body)) + body


def _leaves(node: Any, path: tuple = ()) -> list[tuple]:
    """Paths of every scalar and every key in a JSON tree (data: URIs are left alone)."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append(path + (key,))
            found.extend(_leaves(value, path + (key,)))
    elif isinstance(node, list):
        for i, value in enumerate(node[:64]):  # long number arrays: a prefix is enough
            found.extend(_leaves(value, path + (i,)))
    elif not (isinstance(node, str) and node.startswith("data:")):
        found.append(path)
    return found


def _edit_json(tree: dict, choices: list[tuple[int, Any, bool]]) -> None:
    for pick, value, delete in choices:
        leaves = _leaves(tree)
        if not leaves:
            return
        path = leaves[pick % len(leaves)]
        parent = tree
        for key in path[:-1]:
            parent = parent[key]
        if delete and isinstance(parent, dict):
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = value


SOURCES: dict[str, bytes] = {}


def _source(relative: str) -> bytes:
    if relative not in SOURCES:
        SOURCES[relative] = (TESTDATA / relative).read_bytes()
    return SOURCES[relative]


mutation = st.one_of(
    st.tuples(st.just("flip"), st.lists(st.tuples(st.integers(0, 10**7), st.integers(1, 255)), min_size=1, max_size=8)),
    st.tuples(st.just("truncate"), st.integers(0, 10**7)),
    st.tuples(st.just("json"), st.lists(st.tuples(st.integers(0, 10**6), REPLACEMENTS, st.booleans()),
                                        min_size=1, max_size=3)),
)


def _mutate(relative: str, kind: str, arg: Any) -> bytes:
    data = bytearray(_source(relative))
    if kind == "flip":
        for position, xor in arg:
            data[position % len(data)] ^= xor
        return bytes(data)
    if kind == "truncate":
        return bytes(data[:arg % len(data)])
    if relative.endswith(".gltf"):
        tree = json.loads(data)
        _edit_json(tree, arg)
        return json.dumps(tree).encode()
    tree, binary = _split(bytes(data))
    _edit_json(tree, arg)
    return _join(tree, binary)


def _check(folder: Path, relative: str, kind: str, arg: Any) -> None:
    path = folder / Path(relative).name
    path.write_bytes(_mutate(relative, kind, arg))
    try:
        asset = load_avatar(path)
    except AssetError as exc:
        assert str(exc).startswith(path.name)
        return
    format_inspect(inspect_avatar(asset))  # whatever loads must also summarise


@settings(max_examples=800, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(relative=st.sampled_from(SMALL), change=mutation)
def test_mutated_small_files_load_or_raise_asset_error(relative: str, change: tuple[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _check(Path(folder), relative, *change)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(relative=st.sampled_from(ALL), change=mutation)
def test_mutated_files_load_or_raise_asset_error_long(relative: str, change: tuple[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _check(Path(folder), relative, *change)


@pytest.mark.parametrize("relative", ALL)
def test_every_truncation_point_of_the_header_and_json(relative: str, tmp_path: Path) -> None:
    data = _source(relative)
    path = tmp_path / Path(relative).name
    for size in list(range(0, 40)) + list(range(40, min(len(data), 4000), 97)):
        path.write_bytes(data[:size])
        with pytest.raises(AssetError):
            load_avatar(path)
