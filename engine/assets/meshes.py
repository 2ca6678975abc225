"""glTF meshes (primitives, skin weights, morph targets), materials and images into the avatar model."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.assets.gltf import Document, read_uri
from engine.assets.model import Image, Material, Mesh, MorphTarget, Primitive

TRIANGLES, TRIANGLE_STRIP, TRIANGLE_FAN = 4, 5, 6
MODE_NAMES = {0: "POINTS", 1: "LINES", 2: "LINE_LOOP", 3: "LINE_STRIP"}
# Quantized (uint8 / uint16) weights cannot sum to exactly one; warn only past this.
WEIGHT_SUM_TOLERANCE = 5e-3
IMAGE_SIGNATURES = ((b"\x89PNG", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"\xabKTX 20", "image/ktx2"))


def read_meshes(doc: Document, fallback_names: dict[tuple[int, int], str]) -> list[Mesh]:
    """Every mesh of the document; ``fallback_names[(mesh, target)]`` names unnamed morph targets."""
    return [_read_mesh(doc, i, fallback_names) for i in range(len(doc.items("meshes")))]


def _read_mesh(doc: Document, index: int, fallback_names: dict[tuple[int, int], str]) -> Mesh:
    path = f"meshes[{index}]"
    mesh = doc.item("meshes", index)
    raw_primitives = doc.array(mesh, "primitives", path)
    primitives: list[Primitive] = []
    target_count: int | None = None
    primitive_names: list[str] = []
    for p, raw in enumerate(raw_primitives):
        ppath = f"{path}.primitives[{p}]"
        raw = doc.obj(raw, ppath)
        count = len(doc.array(raw, "targets", ppath))
        if target_count is None:
            target_count = count
        elif count != target_count:
            doc.fail(f"{ppath}.targets", f"{count} morph targets, but primitives[0] has {target_count}")
        names = doc.opt_obj(raw, "extras", ppath).get("targetNames")
        if not primitive_names and _valid_names(names, count):
            primitive_names = list(names)
        primitive = _read_primitive(doc, raw, ppath)
        if primitive is not None:
            primitives.append(primitive)
    target_count = target_count or 0
    names = doc.opt_obj(mesh, "extras", path).get("targetNames")
    if _valid_names(names, target_count):
        target_names = list(names)
    elif primitive_names:
        target_names = primitive_names
    else:
        target_names = [fallback_names.get((index, t), f"target{t}") for t in range(target_count)]
    for primitive in primitives:
        for target, name in zip(primitive.targets, target_names, strict=True):
            target.name = name
    weights = doc.numbers(mesh, "weights", path, target_count)
    return Mesh(name=doc.string(mesh, "name", path, f"mesh{index}"), primitives=primitives,
                target_names=target_names,
                default_weights=np.zeros(target_count) if weights is None else weights)


def _valid_names(names: object, count: int) -> bool:
    return isinstance(names, list) and len(names) == count and all(isinstance(n, str) for n in names)


def _read_primitive(doc: Document, raw: dict, path: str) -> Primitive | None:
    mode = doc.integer(raw, "mode", path, TRIANGLES)
    if mode in MODE_NAMES:
        doc.warn(f"{path}.mode", f"{MODE_NAMES[mode]} primitives are not drawn; skipped")
        return None
    if mode not in (TRIANGLES, TRIANGLE_STRIP, TRIANGLE_FAN):
        doc.fail(f"{path}.mode", f"unknown primitive mode {mode}")
    apath = f"{path}.attributes"
    attributes = doc.opt_obj(raw, "attributes", path)
    positions = doc.accessor_of(attributes, "POSITION", apath, ("VEC3",))
    if positions is None:
        doc.fail(f"{apath}.POSITION", "missing")
    n = len(positions)

    def attribute(key: str, types: tuple[str, ...]) -> np.ndarray | None:
        values = doc.accessor_of(attributes, key, apath, types)
        if values is not None and len(values) != n:
            doc.fail(f"{apath}.{key}", f"{len(values)} elements, but POSITION has {n}")
        return values

    _check_finite(doc, positions, f"{apath}.POSITION")
    normals = attribute("NORMAL", ("VEC3",))
    uvs = attribute("TEXCOORD_0", ("VEC2",))
    colors = attribute("COLOR_0", ("VEC3", "VEC4"))
    if colors is not None:
        colors = _as_float(colors)
        if colors.shape[1] == 3:
            colors = np.hstack([colors, np.ones((n, 1), np.float32)])
    joints, weights = _read_influences(doc, attribute, apath)
    indices = _read_indices(doc, raw, path, mode, n)
    targets = []
    for t, target in enumerate(doc.array(raw, "targets", path)):
        tpath = f"{path}.targets[{t}]"
        target = doc.obj(target, tpath)
        deltas = doc.accessor_of(target, "POSITION", tpath, ("VEC3",))
        normal_deltas = doc.accessor_of(target, "NORMAL", tpath, ("VEC3",))
        for key, values in (("POSITION", deltas), ("NORMAL", normal_deltas)):
            if values is not None and len(values) != n:
                doc.fail(f"{tpath}.{key}", f"{len(values)} elements, but POSITION has {n}")
        targets.append(MorphTarget(
            name=f"target{t}",
            positions=np.zeros((n, 3), np.float32) if deltas is None else _as_float(deltas),
            normals=None if normal_deltas is None else _as_float(normal_deltas)))
    material = doc.index(raw, "material", path, "materials")
    return Primitive(positions=_as_float(positions), indices=indices,
                     normals=None if normals is None else _as_float(normals),
                     uvs=None if uvs is None else _as_float(uvs), colors=colors,
                     joints=joints, weights=weights, material=material, targets=targets)


def _as_float(values: np.ndarray) -> np.ndarray:
    return np.array(values, dtype=np.float32)  # a fresh, writable copy: callers may edit it


def _check_finite(doc: Document, values: np.ndarray, path: str) -> None:
    if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
        doc.fail(path, "contains NaN or infinite values")


def _read_influences(doc: Document, attribute, apath: str) -> tuple[np.ndarray | None, np.ndarray | None]:
    """JOINTS_0/WEIGHTS_0 (and _1) as (N, 4) or (N, 8) uint16 / float32, rows normalised to 1."""
    joint_sets, weight_sets = [], []
    for k in (0, 1):
        joints = attribute(f"JOINTS_{k}", ("VEC4",))
        weights = attribute(f"WEIGHTS_{k}", ("VEC4",))
        if joints is None and weights is None:
            break
        if joints is None or weights is None:
            missing = "JOINTS" if joints is None else "WEIGHTS"
            doc.fail(f"{apath}.{missing}_{k}", f"missing, but {'WEIGHTS' if joints is None else 'JOINTS'}_{k} "
                                               "is present")
        if joints.dtype.kind not in "u" or joints.dtype.itemsize > 2:
            doc.fail(f"{apath}.JOINTS_{k}", f"joint indices must be unsigned byte or short, got {joints.dtype}")
        weights = _as_float(weights)
        if not np.all(np.isfinite(weights)):
            doc.fail(f"{apath}.WEIGHTS_{k}", "contains NaN or infinite weights")
        if np.any(weights < 0):
            row = int(np.argwhere(weights < 0)[0][0])
            doc.fail(f"{apath}.WEIGHTS_{k}", f"negative weight at vertex {row}")
        joint_sets.append(joints.astype(np.uint16))
        weight_sets.append(weights)
    if not joint_sets:
        return None, None
    joints = np.hstack(joint_sets)
    weights = np.hstack(weight_sets)
    joints[weights == 0.0] = 0  # an unused slot may hold any index; keep it harmless
    sums = weights.sum(axis=1)
    empty = sums <= 0.0
    if np.any(empty):
        doc.warn(f"{apath}.WEIGHTS_0", f"{int(empty.sum())} vertices have no weight; bound to their "
                                       "first joint")
        weights[empty, 0] = 1.0
        sums = weights.sum(axis=1)
    off = np.abs(sums - 1.0) > WEIGHT_SUM_TOLERANCE
    if np.any(off & ~empty):
        worst = float(sums[np.argmax(np.abs(sums - 1.0))])
        doc.warn(f"{apath}.WEIGHTS_0", f"{int((off & ~empty).sum())} weight rows do not sum to 1 "
                                       f"(worst {worst:.4g}); normalised")
    weights /= sums[:, None]
    return joints, weights.astype(np.float32)


def _read_indices(doc: Document, raw: dict, path: str, mode: int, n: int) -> np.ndarray:
    values = doc.accessor_of(raw, "indices", path, ("SCALAR",))
    if values is None:
        flat = np.arange(n, dtype=np.int64)
    else:
        if values.dtype.kind != "u":
            doc.fail(f"{path}.indices", f"indices must be unsigned integers, got {values.dtype}")
        flat = values.reshape(-1).astype(np.int64)
        if len(flat) and int(flat.max()) >= n:
            doc.fail(f"{path}.indices", f"index {int(flat.max())} >= {n} vertices")
    if mode == TRIANGLE_STRIP:
        if len(flat) < 3:
            return np.zeros((0, 3), np.uint32)
        i = np.arange(len(flat) - 2)
        odd = (i % 2).astype(bool)
        # Every other strip triangle is flipped to keep a consistent winding.
        tris = np.stack([flat[i], np.where(odd, flat[i + 2], flat[i + 1]), np.where(odd, flat[i + 1], flat[i + 2])], 1)
    elif mode == TRIANGLE_FAN:
        if len(flat) < 3:
            return np.zeros((0, 3), np.uint32)
        i = np.arange(1, len(flat) - 1)
        tris = np.stack([np.full(len(i), flat[0]), flat[i], flat[i + 1]], 1)
    else:
        if len(flat) % 3:
            doc.warn(f"{path}.indices", f"{len(flat)} indices is not a multiple of 3; the rest is dropped")
            flat = flat[:len(flat) - len(flat) % 3]
        tris = flat.reshape(-1, 3)
    return np.ascontiguousarray(tris, dtype=np.uint32)


def check_joint_indices(doc: Document, meshes: list[Mesh], mesh_index: int, joint_count: int) -> None:
    """Fail when a primitive of ``meshes[mesh_index]`` names a joint past its skin's ``joint_count``."""
    raw = doc.item("meshes", mesh_index)
    kept = iter(meshes[mesh_index].primitives)
    for p, raw_primitive in enumerate(doc.array(raw, "primitives", f"meshes[{mesh_index}]")):
        if doc.integer(raw_primitive, "mode", "", TRIANGLES) in MODE_NAMES:
            continue  # skipped at load, never drawn
        primitive = next(kept)
        if primitive.joints is None or not len(primitive.joints):
            continue
        top = int(primitive.joints.max())
        if top >= joint_count:
            column = int(np.argwhere(primitive.joints == top)[0][1])
            doc.fail(f"meshes[{mesh_index}].primitives[{p}].attributes.JOINTS_{column // 4}",
                     f"index {top} >= {joint_count} joints")


# --- materials and images ---------------------------------------------------------------------
def read_images(doc: Document, base: Path) -> list[Image]:
    """Every image: bytes from a bufferView, a data: URI or a file beside the glTF (never a URL)."""
    images = []
    for i, raw in enumerate(doc.items("images")):
        path = f"images[{i}]"
        raw = doc.obj(raw, path)
        mime = doc.string(raw, "mimeType", path, "")
        view = doc.index(raw, "bufferView", path, "bufferViews")
        if view is not None:
            data = bytes(doc.buffer_view(view))
        elif raw.get("uri") is not None:
            data, uri_mime = read_uri(raw["uri"], base, doc.name, f"{path}.uri")
            mime = mime or uri_mime
        else:
            doc.fail(path, "no image data: neither bufferView nor uri")
        if not mime:
            mime = next((m for sig, m in IMAGE_SIGNATURES if data.startswith(sig)), "application/octet-stream")
        images.append(Image(name=doc.string(raw, "name", path, f"image{i}"), mime=mime, data=data))
    return images


def _texture_image(doc: Document, owner: dict, key: str, path: str) -> int | None:
    """The image index behind a material's texture reference ``owner[key]``."""
    ref = owner.get(key)
    if ref is None:
        return None
    rpath = f"{path}.{key}"
    texture = doc.index(doc.obj(ref, rpath), "index", rpath, "textures", required=True)
    tpath = f"textures[{texture}]"
    raw = doc.item("textures", texture)
    source = doc.index(raw, "source", tpath, "images")
    if source is None:  # a texture may name its image only through an extension (WebP, KTX2)
        for ext in doc.opt_obj(raw, "extensions", tpath).values():
            if isinstance(ext, dict) and "source" in ext:
                source = doc.index(ext, "source", f"{tpath}.extensions", "images")
                break
    if source is None:
        doc.fail(f"{tpath}.source", "missing: the texture has no image")
    return source


def read_materials(doc: Document) -> list[Material]:
    """Every material: PBR factors, textures (as image indices), alpha, emissive, MToon when present."""
    materials = []
    for i, raw in enumerate(doc.items("materials")):
        path = f"materials[{i}]"
        raw = doc.obj(raw, path)
        pbr = doc.opt_obj(raw, "pbrMetallicRoughness", path)
        ppath = f"{path}.pbrMetallicRoughness"
        base = doc.numbers(pbr, "baseColorFactor", ppath, 4)
        emissive = doc.numbers(raw, "emissiveFactor", path, 3)
        alpha_mode = doc.string(raw, "alphaMode", path, "OPAQUE")
        if alpha_mode not in ("OPAQUE", "MASK", "BLEND"):
            doc.warn(f"{path}.alphaMode", f"unknown alpha mode {alpha_mode!r}; using OPAQUE")
            alpha_mode = "OPAQUE"
        double_sided = raw.get("doubleSided", False)
        mtoon = doc.opt_obj(raw, "extensions", path).get("VRMC_materials_mtoon")
        materials.append(Material(
            name=doc.string(raw, "name", path, f"material{i}"),
            base_color=np.ones(4) if base is None else base,
            base_color_texture=_texture_image(doc, pbr, "baseColorTexture", ppath),
            metallic=doc.number(pbr, "metallicFactor", ppath, 1.0),
            roughness=doc.number(pbr, "roughnessFactor", ppath, 1.0),
            normal_texture=_texture_image(doc, raw, "normalTexture", path),
            emissive=np.zeros(3) if emissive is None else emissive,
            emissive_texture=_texture_image(doc, raw, "emissiveTexture", path),
            alpha_mode=alpha_mode, alpha_cutoff=doc.number(raw, "alphaCutoff", path, 0.5),
            double_sided=double_sided if isinstance(double_sided, bool) else False,
            mtoon=dict(mtoon) if isinstance(mtoon, dict) else None))
    return materials
