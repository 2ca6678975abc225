"""DeformPlugin: pose → skin matrices → morphed and skinned vertices, once per frame in DEFORM."""

from __future__ import annotations

import numpy as np

from engine.app import App, Clock, Phase
from engine.components.avatar import AvatarModel, DeformedMeshes, PoseState
from engine.deform import kernels
from engine.deform.skinned import pose_skin_matrices
from engine.ecs import World


def _transform_normals(normals: np.ndarray, linear: np.ndarray) -> np.ndarray:
    """Normals through the inverse-transpose of ``linear``, renormalised (zero stays zero)."""
    if not len(normals):
        return normals
    try:
        normal_matrix = np.linalg.inv(linear).T
    except np.linalg.LinAlgError:  # a zero scale: the mesh is flat, keep its normals' directions
        normal_matrix = np.eye(3)
    out = normals @ normal_matrix.T.astype(np.float32)
    length = np.linalg.norm(out, axis=1, keepdims=True)
    return np.divide(out, length, out=np.zeros_like(out), where=length > 0)


def deform_avatars(world: World, dt: float) -> None:
    """Write each avatar's deformed positions and normals (asset space) into DeformedMeshes."""
    frame = world.resources.get(Clock).frame
    for _, (model, state, meshes) in world.query(AvatarModel, PoseState, DeformedMeshes):
        asset, pose = model.asset, state.pose
        skin_cache: dict[int, np.ndarray] = {}
        world_matrices = None
        positions, normals = [], []
        for part in meshes.parts:
            weights = pose.weights.get(part.mesh)
            if part.skin is not None:
                matrices = skin_cache.get(part.skin)
                if matrices is None:
                    skin = asset.skins[part.skin]
                    matrices = pose_skin_matrices(pose.translation, pose.rotation, pose.scale, meshes.parents,
                                                  meshes.order, skin.joints, skin.inverse_bind)
                    skin_cache[part.skin] = matrices
                out_p, out_n = part.data.deform(matrices, weights)
            else:  # a rigid mesh: morph, then place by its node's world matrix
                if world_matrices is None:
                    local = np.empty((pose.node_count, 4, 4))
                    world_matrices = np.empty_like(local)
                    kernels.local_matrices(pose.translation, pose.rotation, pose.scale, local)
                    kernels.world_matrices(local, meshes.parents, meshes.order, world_matrices)
                morphed_p, morphed_n = part.data.deform(None, weights)
                m = world_matrices[part.node]
                out_p = (morphed_p @ m[:3, :3].T.astype(np.float32)) + m[:3, 3].astype(np.float32)
                out_n = _transform_normals(morphed_n, m[:3, :3])
            positions.append(out_p)
            normals.append(out_n)
        meshes.positions, meshes.normals, meshes.frame = positions, normals, frame


class DeformPlugin:
    """Registers ``deform_avatars`` in DEFORM (after the transform hierarchy)."""

    def build(self, app: App) -> None:
        """Add the system."""
        app.add_system(deform_avatars, Phase.DEFORM, reads=(AvatarModel, PoseState), writes=(DeformedMeshes,))
