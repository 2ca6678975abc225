"""load_avatar: a glTF 2.0 / GLB / VRM (0.x and 1.0) file into an AvatarAsset, or an AssetError."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.assets.errors import AssetError
from engine.assets.gltf import Document, read_document
from engine.assets.hierarchy import HierarchyCycle, topological_order
from engine.assets.meshes import check_joint_indices, read_images, read_materials, read_meshes
from engine.assets.model import AnimationClip, AvatarAsset, Channel, Node, Skin
from engine.assets.vrm import apply_vrm0_materials, read_vrm, vrm0_target_names

CHANNEL_WIDTH = {"translation": 3, "rotation": 4, "scale": 3}


def load_avatar(path: Path | str) -> AvatarAsset:
    """Load a .glb, .gltf or .vrm file.

    Raises AssetError (a ValueError) naming the file and the JSON path of the first problem;
    recoverable oddities (weights not summing to one, skipped line primitives...) land in
    ``asset.warnings`` instead.
    """
    path = Path(path)
    try:
        with np.errstate(all="ignore"):  # overflow in hostile numbers is caught by explicit checks
            return _load(path)
    except AssetError:
        raise
    except (MemoryError, RecursionError, OverflowError) as exc:
        # Hostile numbers can still ask for too much; report them as bad data, not a crash.
        raise AssetError(path.name, "", f"cannot load: {type(exc).__name__}") from None


def _load(path: Path) -> AvatarAsset:
    doc = read_document(path)
    nodes = read_nodes(doc)
    meshes = read_meshes(doc, vrm0_target_names(doc))
    for n, node in enumerate(nodes):
        if node.skin is not None and node.mesh is None:
            doc.warn(f"nodes[{n}].skin", "a skin without a mesh does nothing")
        if node.weights is not None:
            targets = len(meshes[node.mesh].target_names) if node.mesh is not None else 0
            if len(node.weights) != targets:
                doc.fail(f"nodes[{n}].weights", f"{len(node.weights)} weights for {targets} morph targets")
    skins = read_skins(doc)
    for node in nodes:
        if node.mesh is not None and node.skin is not None:
            check_joint_indices(doc, meshes, node.mesh, len(skins[node.skin].joints))
    asset = AvatarAsset(path=path.resolve(), nodes=nodes, meshes=meshes, skins=skins,
                        materials=read_materials(doc), images=read_images(doc, path.parent),
                        animations=read_animations(doc, nodes, meshes), roots=_roots(doc, nodes))
    asset.generator = doc.string(doc.opt_obj(doc.json, "asset", ""), "generator", "asset", "")
    asset.vrm = read_vrm(doc, nodes, meshes)
    apply_vrm0_materials(doc, asset.materials)
    if doc.container_error is not None:
        raise doc.container_error
    asset.warnings = doc.warnings
    return asset


# --- nodes ------------------------------------------------------------------------------------
def quaternion_from_matrix(m: np.ndarray) -> np.ndarray:
    """Unit quaternion (x, y, z, w) of a 3x3 rotation matrix (Shepperd's method)."""
    trace = m[0, 0] + m[1, 1] + m[2, 2]
    if trace > 0.0:
        s = 2.0 * np.sqrt(trace + 1.0)
        q = [(m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s, 0.25 * s]
    elif m[0, 0] > m[1, 1] and m[0, 0] > m[2, 2]:
        s = 2.0 * np.sqrt(max(1.0 + m[0, 0] - m[1, 1] - m[2, 2], 1e-12))
        q = [0.25 * s, (m[0, 1] + m[1, 0]) / s, (m[0, 2] + m[2, 0]) / s, (m[2, 1] - m[1, 2]) / s]
    elif m[1, 1] > m[2, 2]:
        s = 2.0 * np.sqrt(max(1.0 + m[1, 1] - m[0, 0] - m[2, 2], 1e-12))
        q = [(m[0, 1] + m[1, 0]) / s, 0.25 * s, (m[1, 2] + m[2, 1]) / s, (m[0, 2] - m[2, 0]) / s]
    else:
        s = 2.0 * np.sqrt(max(1.0 + m[2, 2] - m[0, 0] - m[1, 1], 1e-12))
        q = [(m[0, 2] + m[2, 0]) / s, (m[1, 2] + m[2, 1]) / s, 0.25 * s, (m[1, 0] - m[0, 1]) / s]
    q = np.asarray(q, dtype=np.float64)
    norm = np.linalg.norm(q)
    return q / norm if norm > 0 and np.isfinite(norm) else np.array([0.0, 0.0, 0.0, 1.0])


def decompose_matrix(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Translation, rotation (x, y, z, w) and scale of a 4x4 TRS matrix (column vectors)."""
    translation = matrix[:3, 3].copy()
    basis = matrix[:3, :3]
    scale = np.linalg.norm(basis, axis=0)
    if np.linalg.det(basis) < 0:  # a mirror: put it in one scale axis so the rotation stays proper
        scale[0] = -scale[0]
    safe = np.where(scale == 0.0, 1.0, scale)
    rotation = quaternion_from_matrix(basis / safe[None, :])
    return translation, rotation, scale


def read_nodes(doc: Document) -> list[Node]:
    """Every node with its rest TRS and parent; fails on bad indices, two parents or cycles."""
    nodes: list[Node] = []
    for i, raw in enumerate(doc.items("nodes")):
        path = f"nodes[{i}]"
        raw = doc.obj(raw, path)
        node = Node(name=doc.string(raw, "name", path, f"node{i}"),
                    mesh=doc.index(raw, "mesh", path, "meshes"), skin=doc.index(raw, "skin", path, "skins"))
        matrix = doc.numbers(raw, "matrix", path, 16)
        if matrix is not None:
            node.translation, node.rotation, node.scale = decompose_matrix(matrix.reshape(4, 4).T)
            if not (np.all(np.isfinite(node.translation)) and np.all(np.isfinite(node.scale))):
                doc.fail(f"{path}.matrix", "does not decompose into a finite translation, rotation and scale")
        else:
            for key, length in (("translation", 3), ("rotation", 4), ("scale", 3)):
                value = doc.numbers(raw, key, path, length)
                if value is not None:
                    setattr(node, key, value)
            norm = float(np.linalg.norm(node.rotation))
            if norm == 0.0:
                doc.fail(f"{path}.rotation", "zero quaternion")
            if abs(norm - 1.0) > 1e-3:
                doc.warn(f"{path}.rotation", f"quaternion of length {norm:.4g}; normalised")
            node.rotation = node.rotation / norm
        if raw.get("weights") is not None:
            node.weights = doc.numbers(raw, "weights", path, len(raw["weights"]) if isinstance(raw["weights"], list) else 0)
        nodes.append(node)
    for i, raw in enumerate(doc.items("nodes")):
        for c, child in enumerate(doc.array(raw, "children", f"nodes[{i}]")):
            cpath = f"nodes[{i}].children[{c}]"
            if isinstance(child, bool) or not isinstance(child, int) or not 0 <= child < len(nodes):
                doc.fail(cpath, f"node index {child!r} out of range 0..{len(nodes) - 1}")
            if child == i:
                doc.fail(cpath, f"node {i} is its own child (parent cycle)")
            if nodes[child].parent >= 0:
                doc.fail(cpath, f"node {child} already has parent {nodes[child].parent}")
            nodes[child].parent = i
            nodes[i].children.append(child)
    try:
        topological_order(nodes)
    except HierarchyCycle as exc:
        doc.fail("nodes", f"parent cycle: {exc}")
    return nodes


def _roots(doc: Document, nodes: list[Node]) -> list[int]:
    scenes = doc.items("scenes")
    if not scenes:
        return [i for i, node in enumerate(nodes) if node.parent < 0]
    scene = doc.index(doc.json, "scene", "", "scenes")
    scene = 0 if scene is None else scene
    path = f"scenes[{scene}]"
    roots = []
    for r, node in enumerate(doc.array(doc.item("scenes", scene), "nodes", path)):
        if isinstance(node, bool) or not isinstance(node, int) or not 0 <= node < len(nodes):
            doc.fail(f"{path}.nodes[{r}]", f"node index {node!r} out of range 0..{len(nodes) - 1}")
        if nodes[node].parent >= 0:
            doc.fail(f"{path}.nodes[{r}]", f"node {node} is not a root (its parent is {nodes[node].parent})")
        roots.append(node)
    return roots


# --- skins ------------------------------------------------------------------------------------
def read_skins(doc: Document) -> list[Skin]:
    """Every skin: joint node indices and inverse bind matrices (identity when absent)."""
    skins = []
    node_count = len(doc.items("nodes"))
    for i, raw in enumerate(doc.items("skins")):
        path = f"skins[{i}]"
        raw = doc.obj(raw, path)
        joints = doc.array(raw, "joints", path)
        if not joints:
            doc.fail(f"{path}.joints", "a skin needs at least one joint")
        for j, joint in enumerate(joints):
            if isinstance(joint, bool) or not isinstance(joint, int) or not 0 <= joint < node_count:
                doc.fail(f"{path}.joints[{j}]", f"node index {joint!r} out of range 0..{node_count - 1}")
        inverse = doc.accessor_of(raw, "inverseBindMatrices", path, ("MAT4",))
        if inverse is None:
            matrices = np.tile(np.eye(4), (len(joints), 1, 1))
        else:
            if len(inverse) < len(joints):
                doc.fail(f"{path}.inverseBindMatrices", f"{len(inverse)} matrices for {len(joints)} joints")
            if not np.all(np.isfinite(inverse)):
                doc.fail(f"{path}.inverseBindMatrices", "contains NaN or infinite values")
            # glTF stores matrices column by column.
            matrices = inverse[:len(joints)].astype(np.float64).reshape(-1, 4, 4).transpose(0, 2, 1).copy()
        skins.append(Skin(name=doc.string(raw, "name", path, f"skin{i}"),
                          joints=np.asarray(joints, dtype=np.int32), inverse_bind=matrices,
                          skeleton=doc.index(raw, "skeleton", path, "nodes")))
    return skins


# --- animations -------------------------------------------------------------------------------
def read_animations(doc: Document, nodes: list, meshes: list) -> list[AnimationClip]:
    """Every animation: channels with times, values and split-out cubic-spline tangents."""
    clips = []
    for a, raw in enumerate(doc.items("animations")):
        path = f"animations[{a}]"
        raw = doc.obj(raw, path)
        samplers = doc.array(raw, "samplers", path)
        channels = []
        for c, channel in enumerate(doc.array(raw, "channels", path)):
            cpath = f"{path}.channels[{c}]"
            channel = doc.obj(channel, cpath)
            sampler = doc.integer(channel, "sampler", cpath, required=True)
            if sampler >= len(samplers):
                doc.fail(f"{cpath}.sampler", f"index {sampler} >= {len(samplers)} samplers")
            target = doc.opt_obj(channel, "target", cpath)
            node = doc.index(target, "node", f"{cpath}.target", "nodes")
            prop = target.get("path")
            if node is None or prop not in ("translation", "rotation", "scale", "weights"):
                doc.warn(f"{cpath}.target", f"unsupported target (node {node}, path {prop!r}); skipped")
                continue
            if prop == "weights":
                mesh = nodes[node].mesh
                if mesh is None:
                    doc.fail(f"{cpath}.target.node", f"node {node} animates morph weights but has no mesh")
                width = len(meshes[mesh].target_names)
                if width == 0:
                    doc.warn(f"{cpath}.target", f"node {node}'s mesh has no morph targets; skipped")
                    continue
            else:
                width = CHANNEL_WIDTH[prop]
            channels.append(_read_channel(doc, samplers[sampler], f"{path}.samplers[{sampler}]",
                                          node, prop, width))
        duration = max((float(ch.times[-1]) for ch in channels if len(ch.times)), default=0.0)
        clips.append(AnimationClip(name=doc.string(raw, "name", path, f"animation{a}"),
                                   channels=channels, duration=duration))
    return clips


def _read_channel(doc: Document, sampler: object, path: str, node: int, prop: str, width: int) -> Channel:
    sampler = doc.obj(sampler, path)
    interpolation = doc.string(sampler, "interpolation", path, "LINEAR")
    if interpolation not in ("STEP", "LINEAR", "CUBICSPLINE"):
        doc.fail(f"{path}.interpolation", f"unknown interpolation {interpolation!r}")
    times = doc.accessor_of(sampler, "input", path, ("SCALAR",))
    if times is None:
        doc.fail(f"{path}.input", "missing")
    if times.dtype.kind != "f":
        doc.fail(f"{path}.input", f"key times must be floats, got {times.dtype}")
    times = np.array(times.reshape(-1), dtype=np.float32)
    if not np.all(np.isfinite(times)):
        doc.fail(f"{path}.input", "contains NaN or infinite times")
    if np.any(np.diff(times) < 0):
        doc.fail(f"{path}.input", "key times decrease")
    values = doc.accessor_of(sampler, "output", path)
    if values is None:
        doc.fail(f"{path}.output", "missing")
    flat = np.asarray(values, dtype=np.float32).reshape(-1)
    if not np.all(np.isfinite(flat)):
        doc.fail(f"{path}.output", "contains NaN or infinite values")
    parts = 3 if interpolation == "CUBICSPLINE" else 1
    expected = len(times) * parts * width
    if len(flat) != expected:
        doc.fail(f"{path}.output", f"{len(flat)} values, expected {expected} "
                                   f"({len(times)} keys x {parts} x {width})")
    grid = flat.reshape(len(times), parts, width)
    if parts == 3:  # per key: in-tangent, value, out-tangent
        return Channel(node=node, path=prop, interpolation=interpolation, times=times,
                       values=grid[:, 1].copy(), in_tangents=grid[:, 0].copy(), out_tangents=grid[:, 2].copy())
    return Channel(node=node, path=prop, interpolation=interpolation, times=times, values=grid[:, 0].copy())
