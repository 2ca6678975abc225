"""Real models animated and skinned: the numba path equals the numpy oracle at chosen times."""

from __future__ import annotations

import numpy as np
import pytest

from engine.anim.pose import Pose
from engine.anim.sampling import sample_clip
from engine.assets.hierarchy import parent_array, topological_order, world_from_local
from engine.deform.reference import morph_dense_ref, skin_matrices_ref, skin_vertices_ref
from engine.deform.skinned import SkinnedPrimitive, pose_skin_matrices
from engine.mathx import trs_matrices
from tests.conftest import TESTDATA

pytestmark = pytest.mark.skipif(not TESTDATA.is_dir(), reason="../shared/testdata is absent (a user's clone)")

CASES = [("gltf/Fox.glb", 0, (0.5, 1.7)), ("gltf/Fox.glb", 1, (0.3,)), ("gltf/RiggedFigure.glb", 0, (0.4, 1.0)),
         ("gltf/RiggedSimple.glb", 0, (0.7, 1.9)), ("gltf/SimpleSkin.gltf", 0, (1.0, 3.5))]


def _oracle(asset, pose, node, prim, weights):
    local = trs_matrices(pose.translation, pose.rotation, pose.scale)
    world = world_from_local(asset.nodes, local)
    positions, normals = prim.positions, prim.normals
    if prim.targets and weights is not None:
        positions, normals = morph_dense_ref(positions, normals, [t.positions for t in prim.targets],
                                             [t.normals for t in prim.targets], weights)
    skin = asset.skins[node.skin]
    matrices = skin_matrices_ref(world, skin.joints, skin.inverse_bind)
    return skin_vertices_ref(positions.astype(np.float32), None if normals is None else normals.astype(np.float32),
                             prim.joints, prim.weights, matrices)


@pytest.mark.parametrize("relative, clip, times", CASES, ids=lambda v: str(v))
def test_skinned_positions_match_the_oracle(relative, clip, times):
    from engine.assets.loader import load_avatar

    asset = load_avatar(TESTDATA / relative)
    parents, order = parent_array(asset.nodes), topological_order(asset.nodes)
    skinned = [(i, n) for i, n in enumerate(asset.nodes) if n.mesh is not None and n.skin is not None]
    assert skinned, "sample should be skinned"
    moved = 0.0
    for _, node in skinned:
        skin = asset.skins[node.skin]
        for prim in asset.meshes[node.mesh].primitives:
            data = SkinnedPrimitive.from_primitive(prim, len(skin.joints))
            previous = None
            for t in times:
                pose = sample_clip(asset.animations[clip], t, Pose.rest(asset))
                weights = pose.weights.get(node.mesh)
                matrices = pose_skin_matrices(pose.translation, pose.rotation, pose.scale, parents, order,
                                              skin.joints, skin.inverse_bind)
                got_p, got_n = data.deform(matrices, weights if prim.targets else None)
                want_p, want_n = _oracle(asset, pose, node, prim, weights)
                scale = max(1.0, float(np.abs(want_p).max()))
                assert np.allclose(got_p, want_p, atol=1e-5 * scale), relative
                if want_n is not None:
                    assert np.allclose(got_n, want_n, atol=1e-4)
                if previous is not None:
                    moved = max(moved, float(np.abs(got_p - previous).max()) / scale)
                previous = got_p.copy()
    if len(times) > 1:
        assert moved > 1e-3, "the animation should move vertices between the chosen times"


def test_morph_animation_matches_the_oracle():
    from engine.assets.loader import load_avatar

    asset = load_avatar(TESTDATA / "gltf/SimpleMorph.gltf")
    (prim,) = asset.meshes[0].primitives
    data = SkinnedPrimitive.from_primitive(prim)
    for t in (0.5, 1.5, 3.0):
        pose = sample_clip(asset.animations[0], t, Pose.rest(asset))
        weights = pose.weights[0]
        assert np.abs(weights).max() > 0
        got, _ = data.deform(None, weights)
        want, _ = morph_dense_ref(prim.positions, prim.normals, [x.positions for x in prim.targets],
                                  [x.normals for x in prim.targets], weights)
        assert np.allclose(got, want, atol=1e-6)
