"""Deformation: pose -> skin matrices, sparse morph targets, linear-blend skinning (numba kernels)."""

from engine.deform.kernels import (
    local_matrices,
    morph_accumulate,
    skin_matrices,
    skin_vertices,
    world_matrices,
)
from engine.deform.morphs import (
    ACTIVE_THRESHOLD,
    SparseMorphs,
    sparse_from_primitive,
    sparse_from_targets,
)
from engine.deform.skinned import SkinnedPrimitive, pose_skin_matrices

__all__ = [
    "ACTIVE_THRESHOLD",
    "SkinnedPrimitive",
    "SparseMorphs",
    "local_matrices",
    "morph_accumulate",
    "pose_skin_matrices",
    "skin_matrices",
    "skin_vertices",
    "sparse_from_primitive",
    "sparse_from_targets",
    "world_matrices",
]
