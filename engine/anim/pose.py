"""A pose: every node's local TRS plus morph weights per mesh, as float64 arrays."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.anim import quat
from engine.assets.hierarchy import topological_order
from engine.assets.model import AvatarAsset
from engine.mathx import trs_matrices


@dataclass(slots=True, eq=False)
class Pose:
    """Local transforms of all nodes of one asset; ``weights`` maps mesh index -> morph weights."""

    translation: np.ndarray  # (N, 3)
    rotation: np.ndarray  # (N, 4) x, y, z, w
    scale: np.ndarray  # (N, 3)
    weights: dict[int, np.ndarray] = field(default_factory=dict)
    node_mesh: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))  # (N,) mesh or -1

    @classmethod
    def rest(cls, asset: AvatarAsset) -> Pose:
        """The asset's rest pose (node TRS and the meshes' default morph weights)."""
        nodes = asset.nodes
        n = len(nodes)
        translation = np.array([node.translation for node in nodes], dtype=np.float64).reshape(n, 3)
        rotation = quat.normalize(np.array([node.rotation for node in nodes], dtype=np.float64).reshape(n, 4))
        scale = np.array([node.scale for node in nodes], dtype=np.float64).reshape(n, 3)
        weights: dict[int, np.ndarray] = {}
        for index, mesh in enumerate(asset.meshes):
            count = len(mesh.target_names) or max((len(p.targets) for p in mesh.primitives), default=0)
            values = np.zeros(count)
            default = np.asarray(mesh.default_weights, dtype=np.float64)
            values[: min(count, len(default))] = default[:count]
            weights[index] = values
        for node in nodes:  # glTF: a node's own weights override its mesh's defaults
            if node.mesh is not None and node.weights is not None and len(node.weights) == len(weights[node.mesh]):
                weights[node.mesh] = np.asarray(node.weights, dtype=np.float64).copy()
        node_mesh = np.array([-1 if node.mesh is None else node.mesh for node in nodes], dtype=np.int32)
        return cls(translation, rotation, scale, weights, node_mesh)

    def copy(self) -> Pose:
        """A deep copy."""
        return Pose(self.translation.copy(), self.rotation.copy(), self.scale.copy(),
                    {k: v.copy() for k, v in self.weights.items()}, self.node_mesh.copy())

    def assign(self, other: Pose) -> None:
        """Copy ``other``'s values into this pose in place (same asset)."""
        self.translation[:] = other.translation
        self.rotation[:] = other.rotation
        self.scale[:] = other.scale
        for key, values in other.weights.items():
            self.weights[key] = values.copy()

    @property
    def node_count(self) -> int:
        """Number of nodes."""
        return len(self.translation)

    def local_matrices(self) -> np.ndarray:
        """(N, 4, 4) local matrices T * R * S."""
        return trs_matrices(self.translation, self.rotation, self.scale)


def world_matrices(asset: AvatarAsset, pose: Pose) -> np.ndarray:
    """(N, 4, 4) world matrices of ``pose`` (``world = parent @ local``)."""
    local = pose.local_matrices()
    world = np.empty_like(local)
    for index in topological_order(asset.nodes):
        parent = asset.nodes[index].parent
        world[index] = local[index] if parent < 0 else world[parent] @ local[index]
    return world


def depth_levels(asset: AvatarAsset) -> list[np.ndarray]:
    """Node indices grouped by depth (roots first), so each level can be computed in one go."""
    depth = np.zeros(len(asset.nodes), dtype=np.int32)
    for index in topological_order(asset.nodes):
        parent = asset.nodes[index].parent
        depth[index] = 0 if parent < 0 else depth[parent] + 1
    return [np.flatnonzero(depth == d) for d in range(int(depth.max(initial=-1)) + 1)]


def world_rotations(asset: AvatarAsset, pose: Pose, levels: list[np.ndarray] | None = None) -> np.ndarray:
    """(N, 4) world rotations, composed along parents (scales ignored; exact when uniform)."""
    out = pose.rotation.copy()
    parents = np.array([node.parent for node in asset.nodes], dtype=np.int64)
    for level in levels if levels is not None else depth_levels(asset):
        children = level[parents[level] >= 0]
        if len(children):
            out[children] = quat.mul(out[parents[children]], pose.rotation[children])
    return out


def node_world_position(asset: AvatarAsset, pose: Pose, index: int) -> np.ndarray:
    """World position of one node, composing only its chain of ancestors."""
    chain = []
    while index >= 0:
        chain.append(index)
        index = asset.nodes[index].parent
    chain = chain[::-1]
    matrices = trs_matrices(pose.translation[chain], pose.rotation[chain], pose.scale[chain])
    world = matrices[0]
    for matrix in matrices[1:]:
        world = world @ matrix
    return world[:3, 3].copy()
