"""Node hierarchy helpers: parents-before-children order and rest-pose matrices of an avatar."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from engine.assets.model import AvatarAsset, Node
from engine.mathx import quat_mul, trs_matrices


class HierarchyCycle(ValueError):
    """The node parent links form a loop."""


def topological_order(nodes: list[Node]) -> np.ndarray:
    """Node indices ordered so that every parent comes before its children (int32)."""
    order: list[int] = []
    state = [0] * len(nodes)  # 0 unvisited, 1 in progress, 2 done
    for start in range(len(nodes)):
        chain = []
        node = start
        while node >= 0 and state[node] == 0:
            state[node] = 1
            chain.append(node)
            node = nodes[node].parent
        if node >= 0 and state[node] == 1:
            raise HierarchyCycle(f"node {node} ({nodes[node].name!r}) is its own ancestor")
        for item in reversed(chain):
            state[item] = 2
            order.append(item)
    return np.asarray(order, dtype=np.int32)


def parent_array(nodes: list[Node]) -> np.ndarray:
    """Each node's parent index (-1 for roots), int32."""
    return np.asarray([n.parent for n in nodes], dtype=np.int32)


def rest_local_matrices(nodes: list[Node]) -> np.ndarray:
    """(N, 4, 4) local matrices of the rest pose."""
    if not nodes:
        return np.zeros((0, 4, 4))
    return trs_matrices(np.array([n.translation for n in nodes]), np.array([n.rotation for n in nodes]),
                        np.array([n.scale for n in nodes]))


def world_from_local(nodes: list[Node], local: np.ndarray) -> np.ndarray:
    """(N, 4, 4) world matrices from local ones, walking parents before children."""
    world = np.empty_like(local)
    for index in topological_order(nodes):
        parent = nodes[index].parent
        world[index] = local[index] if parent < 0 else world[parent] @ local[index]
    return world


def rest_world_matrices(asset: AvatarAsset) -> np.ndarray:
    """(N, 4, 4) world matrices of every node in the rest pose."""
    return world_from_local(asset.nodes, rest_local_matrices(asset.nodes))


def turn_around(asset: AvatarAsset) -> AvatarAsset:
    """A copy of ``asset`` turned 180 degrees about +Y at its roots (VRM 0.x to +Z facing).

    Only the root nodes change; skinned vertices follow because skinning uses joint world
    matrices. Meshes, skins and the rest are shared with the original.
    """
    half_turn = np.array([0.0, 1.0, 0.0, 0.0])  # x, y, z, w
    nodes = []
    for node in asset.nodes:
        copy = replace(node, children=list(node.children))
        if node.parent < 0:
            copy.translation = np.array([-node.translation[0], node.translation[1], -node.translation[2]])
            copy.rotation = quat_mul(half_turn, np.asarray(node.rotation, dtype=np.float64))
        nodes.append(copy)
    return replace(asset, nodes=nodes)

