"""The transform hierarchy: computes each entity's WorldTransform from Transform and Parent."""

from __future__ import annotations

import numpy as np

from engine.app import App, Phase
from engine.components import Parent, Transform, WorldTransform
from engine.ecs import World
from engine.mathx import trs_matrices


class HierarchyError(ValueError):
    """The Parent links form a cycle."""


def _depths(entities: list[int], parent_of: dict[int, int]) -> dict[int, int]:
    """Depth of each entity below its root; parents without a Transform count as absent."""
    depth: dict[int, int] = {}
    for entity in entities:
        chain = []
        node = entity
        while node not in depth:
            if node in chain:
                raise HierarchyError(f"entity {node} is its own ancestor")
            chain.append(node)
            parent = parent_of.get(node)
            if parent is None:
                depth[node] = 0
                chain.pop()
                break
            node = parent
        for item in reversed(chain):
            depth[item] = depth[parent_of[item]] + 1
    return depth


def propagate_transforms(world: World, dt: float) -> None:
    """Compute world matrices for every Transform, parents before children (batched by depth)."""
    rows = world.query_one(Transform)
    if not rows:
        return
    entities = [entity for entity, _ in rows]
    index = {entity: i for i, entity in enumerate(entities)}
    positions = np.array([t.position for _, t in rows], dtype=np.float64)
    rotations = np.array([t.rotation for _, t in rows], dtype=np.float64)
    scales = np.array([t.scale for _, t in rows], dtype=np.float64)
    local = trs_matrices(positions, rotations, scales)

    parent_of = {e: p.entity for e, p in world.query_one(Parent) if p.entity in index}
    out = local.copy()
    if parent_of:
        depth = _depths(entities, parent_of)
        for level in range(1, max(depth.values()) + 1):
            children = [e for e in entities if depth[e] == level]
            child_idx = np.array([index[e] for e in children])
            parent_idx = np.array([index[parent_of[e]] for e in children])
            out[child_idx] = out[parent_idx] @ local[child_idx]

    for i, entity in enumerate(entities):
        current = world.try_get(entity, WorldTransform)
        if current is None:
            world.commands.insert(entity, WorldTransform(out[i]))
        else:
            current.matrix = out[i]


class TransformPlugin:
    """Registers the world-transform system at the start of DEFORM."""

    def build(self, app: App) -> None:
        """Add ``propagate_transforms``."""
        app.add_system(
            propagate_transforms,
            Phase.DEFORM,
            reads=(Transform, Parent),
            writes=(WorldTransform,),
        )
