"""Write an AvatarAsset as GLB 2.0 with VRMC_vrm 1.0, atomically (temp file, then rename)."""

from __future__ import annotations

import json
import os
import struct
import tempfile
from pathlib import Path

import numpy as np

from engine.assets.model import AnimationClip, AvatarAsset, Expression, Material, Primitive

ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963
FLOAT, UBYTE, USHORT, UINT = 5126, 5121, 5123, 5125
TYPES = {1: "SCALAR", 2: "VEC2", 3: "VEC3", 4: "VEC4", 16: "MAT4"}
DTYPES = {FLOAT: np.float32, UBYTE: np.uint8, USHORT: np.uint16, UINT: np.uint32}
# Morph targets touch small regions of big meshes: store them sparse when that is smaller.
SPARSE_RATIO = 0.6


class _Builder:
    """Accumulates the binary chunk, buffer views and accessors of one file."""

    def __init__(self) -> None:
        self.blob = bytearray()
        self.views: list[dict] = []
        self.accessors: list[dict] = []

    def view(self, data: bytes, target: int | None = None) -> int:
        """Append ``data`` 4-byte aligned as a new buffer view."""
        self.blob.extend(b"\0" * (-len(self.blob) % 4))
        entry = {"buffer": 0, "byteOffset": len(self.blob), "byteLength": len(data)}
        if target is not None:
            entry["target"] = target
        self.blob.extend(data)
        self.views.append(entry)
        return len(self.views) - 1

    def accessor(self, array: np.ndarray, component: int, target: int | None = ARRAY_BUFFER,
                 minmax: bool = False, normalized: bool = False) -> int:
        """A dense accessor over ``array`` (count, width) or (count,)."""
        data = np.ascontiguousarray(array, dtype=DTYPES[component])
        count = len(data)
        width = int(np.prod(data.shape[1:])) if data.ndim > 1 else 1
        entry: dict = {"bufferView": self.view(data.tobytes(), target), "componentType": component,
                       "count": count, "type": TYPES[width]}
        if normalized:
            entry["normalized"] = True
        if minmax:
            flat = data.reshape(count, width)
            entry["min"] = _numbers(flat.min(axis=0), component)
            entry["max"] = _numbers(flat.max(axis=0), component)
        self.accessors.append(entry)
        return len(self.accessors) - 1

    def morph_pair(self, positions: np.ndarray, normals: np.ndarray | None) -> tuple[int, int | None]:
        """POSITION (and NORMAL) delta accessors of one target: sparse when few vertices move."""
        pos = np.ascontiguousarray(positions, dtype=np.float32)
        nrm = None if normals is None else np.ascontiguousarray(normals, dtype=np.float32)
        moved = np.any(pos != 0, axis=1) if nrm is None else np.any(pos != 0, axis=1) | np.any(nrm != 0, axis=1)
        rows = np.nonzero(moved)[0]
        count = len(pos)
        if len(rows) > SPARSE_RATIO * count:
            p = self.accessor(pos, FLOAT, minmax=True)
            return p, None if nrm is None else self.accessor(nrm, FLOAT)
        index_type = USHORT if count < 65536 else UINT
        shared = None
        if len(rows):
            # One index list serves both accessors.
            shared = self.view(rows.astype(DTYPES[index_type]).tobytes())
        out = []
        for data, bounds in ((pos, True), (nrm, False)):
            if data is None:
                out.append(None)
                continue
            entry: dict = {"componentType": FLOAT, "count": count, "type": "VEC3"}
            if shared is not None:
                entry["sparse"] = {"count": len(rows), "indices": {"bufferView": shared, "componentType": index_type},
                                   "values": {"bufferView": self.view(data[rows].tobytes())}}
            if bounds:
                entry["min"] = _numbers(data.min(axis=0), FLOAT)
                entry["max"] = _numbers(data.max(axis=0), FLOAT)
            self.accessors.append(entry)
            out.append(len(self.accessors) - 1)
        return out[0], out[1]


def _numbers(values: np.ndarray, component: int) -> list:
    """JSON numbers for min/max, exact for the stored component type."""
    if component == FLOAT:
        return [float(v) for v in np.asarray(values, dtype=np.float32)]
    return [int(v) for v in values]


def _unit_normals(normals: np.ndarray) -> np.ndarray:
    """Normals renormalised in float32 (the validator checks unit length)."""
    n = np.asarray(normals, dtype=np.float64)
    length = np.linalg.norm(n, axis=1, keepdims=True)
    n = np.where(length > 1e-12, n / np.maximum(length, 1e-12), np.array([0.0, 1.0, 0.0]))
    return n.astype(np.float32)


def _quantised_weights(weights: np.ndarray) -> np.ndarray:
    """Weights as normalised uint16 that still sum to exactly 65535 (half the size of float32)."""
    w = np.asarray(weights, dtype=np.float64)
    w = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-12)
    q = np.floor(w * 65535.0 + 0.5).astype(np.int64)
    largest = np.argmax(w, axis=1)
    q[np.arange(len(q)), largest] += 65535 - q.sum(axis=1)
    return q.astype(np.uint16)


def _primitive(b: _Builder, prim: Primitive, joint_count: int) -> dict:
    attributes = {"POSITION": b.accessor(prim.positions, FLOAT, minmax=True)}
    if prim.normals is not None:
        attributes["NORMAL"] = b.accessor(_unit_normals(prim.normals), FLOAT)
    if prim.uvs is not None:
        attributes["TEXCOORD_0"] = b.accessor(prim.uvs, FLOAT)
    if prim.colors is not None:
        attributes["COLOR_0"] = b.accessor(prim.colors, FLOAT)
    if prim.joints is not None and prim.weights is not None:
        for set_index in range(prim.joints.shape[1] // 4):
            cols = slice(4 * set_index, 4 * set_index + 4)
            kind = UBYTE if joint_count <= 256 else USHORT
            attributes[f"JOINTS_{set_index}"] = b.accessor(prim.joints[:, cols], kind)
            attributes[f"WEIGHTS_{set_index}"] = b.accessor(_quantised_weights(prim.weights[:, cols]), USHORT,
                                                            normalized=True)
    index_kind = USHORT if prim.vertex_count < 65535 else UINT
    entry: dict = {"attributes": attributes, "mode": 4,
                   "indices": b.accessor(np.asarray(prim.indices).reshape(-1), index_kind, ELEMENT_ARRAY_BUFFER)}
    if prim.material is not None:
        entry["material"] = prim.material
    if prim.targets:
        targets = []
        for target in prim.targets:
            pos, nrm = b.morph_pair(target.positions, target.normals)
            item = {"POSITION": pos}
            if nrm is not None:
                item["NORMAL"] = nrm
            targets.append(item)
        entry["targets"] = targets
    return entry


def _material(m: Material) -> dict:
    pbr: dict = {"baseColorFactor": [float(v) for v in m.base_color], "metallicFactor": float(m.metallic),
                 "roughnessFactor": float(m.roughness)}
    if m.base_color_texture is not None:
        pbr["baseColorTexture"] = {"index": m.base_color_texture}
    entry: dict = {"name": m.name, "pbrMetallicRoughness": pbr}
    if np.any(np.asarray(m.emissive) > 0):
        entry["emissiveFactor"] = [float(v) for v in m.emissive]
    if m.alpha_mode != "OPAQUE":
        entry["alphaMode"] = m.alpha_mode
        if m.alpha_mode == "MASK":
            entry["alphaCutoff"] = float(m.alpha_cutoff)
    if m.double_sided:
        entry["doubleSided"] = True
    return entry


def _animation(b: _Builder, clip: AnimationClip) -> dict:
    samplers, channels = [], []
    for channel in clip.channels:
        times = b.accessor(np.asarray(channel.times, dtype=np.float32), FLOAT, target=None, minmax=True)
        values = np.asarray(channel.values, dtype=np.float32)
        if channel.interpolation == "CUBICSPLINE":
            values = np.stack([channel.in_tangents, values, channel.out_tangents], axis=1).reshape(-1, values.shape[1])
        if channel.path == "weights":
            values = values.reshape(-1, 1)
        samplers.append({"input": times, "output": b.accessor(values, FLOAT, target=None),
                         "interpolation": channel.interpolation})
        channels.append({"sampler": len(samplers) - 1, "target": {"node": channel.node, "path": channel.path}})
    return {"name": clip.name, "samplers": samplers, "channels": channels}


def _expression(e: Expression, mesh_nodes: dict[int, int]) -> dict:
    entry: dict = {}
    if e.morph_binds:
        entry["morphTargetBinds"] = [{"node": mesh_nodes[bind.mesh], "index": bind.target,
                                      "weight": float(bind.weight)} for bind in e.morph_binds]
    if e.material_binds:
        entry["materialColorBinds"] = list(e.material_binds)
    entry.update({"isBinary": bool(e.is_binary), "overrideBlink": e.override_blink,
                  "overrideLookAt": e.override_look_at, "overrideMouth": e.override_mouth})
    return entry


def _vrm(asset: AvatarAsset) -> dict:
    vrm = asset.vrm
    assert vrm is not None
    mesh_nodes = {}
    for index, node in enumerate(asset.nodes):
        if node.mesh is not None and node.mesh not in mesh_nodes:
            mesh_nodes[node.mesh] = index
    m = vrm.meta
    meta: dict = {"name": m.name or "avatar", "version": m.version, "authors": list(m.authors) or ["unknown"],
                  "licenseUrl": m.license_url or "https://vrm.dev/licenses/1.0/",
                  "avatarPermission": m.avatar_permission, "allowExcessivelyViolentUsage": m.allow_violent,
                  "allowExcessivelySexualUsage": m.allow_sexual, "commercialUsage": m.commercial_usage,
                  "allowPoliticalOrReligiousUsage": m.allow_political_or_religious,
                  "allowAntisocialOrHateUsage": m.allow_antisocial_or_hate, "creditNotation": m.credit_notation,
                  "allowRedistribution": m.allow_redistribution, "modification": m.modification}
    if m.contact:
        meta["contactInformation"] = m.contact
    if m.references:
        meta["references"] = list(m.references)
    if m.other_license_url:
        meta["otherLicenseUrl"] = m.other_license_url
    look = vrm.look_at
    look_at: dict = {"offsetFromHeadBone": [float(v) for v in look.offset_from_head], "type": look.type}
    for key, value in look.ranges.items():
        name = "rangeMap" + key[0].upper() + key[1:]
        look_at[name] = {k: float(v) for k, v in value.items()}
    preset = {n: _expression(e, mesh_nodes) for n, e in vrm.expressions.items() if e.preset}
    custom = {n: _expression(e, mesh_nodes) for n, e in vrm.expressions.items() if not e.preset}
    expressions: dict = {"preset": preset}
    if custom:
        expressions["custom"] = custom
    return {"specVersion": "1.0", "meta": meta,
            "humanoid": {"humanBones": {name: {"node": int(i)} for name, i in vrm.humanoid.items()}},
            "lookAt": look_at, "expressions": expressions}


def build_glb(asset: AvatarAsset) -> bytes:
    """The whole GLB file for ``asset`` as bytes."""
    b = _Builder()
    joint_count = max((len(s.joints) for s in asset.skins), default=0)
    meshes = []
    for mesh in asset.meshes:
        entry: dict = {"name": mesh.name, "primitives": [_primitive(b, p, joint_count) for p in mesh.primitives]}
        if mesh.target_names:
            entry["weights"] = [float(w) for w in np.resize(mesh.default_weights, len(mesh.target_names))]
            entry["extras"] = {"targetNames": list(mesh.target_names)}
        meshes.append(entry)
    nodes = []
    for node in asset.nodes:
        entry = {"name": node.name}
        if node.children:
            entry["children"] = [int(c) for c in node.children]
        if np.any(np.asarray(node.translation) != 0):
            entry["translation"] = [float(v) for v in node.translation]
        if not np.allclose(node.rotation, [0.0, 0.0, 0.0, 1.0]):
            entry["rotation"] = [float(v) for v in node.rotation]
        if not np.allclose(node.scale, 1.0):
            entry["scale"] = [float(v) for v in node.scale]
        if node.mesh is not None:
            entry["mesh"] = int(node.mesh)
        if node.skin is not None:
            entry["skin"] = int(node.skin)
        nodes.append(entry)
    skins = []
    for skin in asset.skins:
        # glTF matrices are column-major.
        ibm = np.transpose(np.asarray(skin.inverse_bind, dtype=np.float32), (0, 2, 1)).reshape(-1, 16)
        entry = {"name": skin.name, "joints": [int(j) for j in skin.joints],
                 "inverseBindMatrices": b.accessor(ibm, FLOAT, target=None)}
        if skin.skeleton is not None:
            entry["skeleton"] = int(skin.skeleton)
        skins.append(entry)
    doc: dict = {"asset": {"version": "2.0", "generator": asset.generator or "Persona gltf_writer"}}
    if asset.vrm is not None:
        doc["extensionsUsed"] = ["VRMC_vrm"]
    doc.update({"scene": 0, "scenes": [{"nodes": [int(r) for r in asset.roots]}], "nodes": nodes, "meshes": meshes})
    if skins:
        doc["skins"] = skins
    if asset.materials:
        doc["materials"] = [_material(m) for m in asset.materials]
    if asset.images:
        doc["images"] = [{"name": im.name, "mimeType": im.mime, "bufferView": b.view(im.data)} for im in asset.images]
        doc["samplers"] = [{"magFilter": 9729, "minFilter": 9987}]
        doc["textures"] = [{"source": i, "sampler": 0} for i in range(len(asset.images))]
    if asset.animations:
        doc["animations"] = [_animation(b, clip) for clip in asset.animations]
    if asset.vrm is not None:
        doc["extensions"] = {"VRMC_vrm": _vrm(asset)}
    b.blob.extend(b"\0" * (-len(b.blob) % 4))
    doc["accessors"] = b.accessors
    doc["bufferViews"] = b.views
    doc["buffers"] = [{"byteLength": len(b.blob)}]
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 4)
    total = 12 + 8 + len(text) + 8 + len(b.blob)
    return b"".join([struct.pack("<4sII", b"glTF", 2, total), struct.pack("<I4s", len(text), b"JSON"), text,
                     struct.pack("<I4s", len(b.blob), b"BIN\0"), bytes(b.blob)])


def _write_all(handle, data: bytes) -> None:
    """Write ``data`` to an open binary file (a seam for tests that make writing fail midway)."""
    view = memoryview(data)
    step = 1 << 20
    for start in range(0, len(view), step):
        handle.write(view[start:start + step])


def write_glb(asset: AvatarAsset, path: Path | str) -> None:
    """Write ``asset`` to ``path`` as GLB; a reader never sees a half-written file."""
    target = Path(path)
    data = build_glb(asset)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or Path("."))
    try:
        # mkstemp creates 0600 files; give the result the usual permissions of a new file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as handle:
            _write_all(handle, data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
