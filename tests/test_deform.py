"""Deformation kernels (numba) against the plain-numpy reference, plus hand-checked poses."""

from __future__ import annotations

import numpy as np
import pytest

from engine.assets.hierarchy import Node, topological_order, world_from_local
from engine.assets.model import MorphTarget, Primitive
from engine.deform import (
    SkinnedPrimitive,
    local_matrices,
    morph_accumulate,
    pose_skin_matrices,
    skin_matrices,
    skin_vertices,
    sparse_from_targets,
    world_matrices,
)
from engine.deform.reference import (
    local_matrices_ref,
    morph_dense_ref,
    morph_sparse_ref,
    skin_matrices_ref,
    skin_vertices_ref,
    world_matrices_ref,
)
from engine.mathx import quat_from_euler_deg

TOL = 1e-5


def _random_trs(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    translations = rng.normal(scale=0.5, size=(count, 3))
    rotations = rng.normal(size=(count, 4)) * rng.uniform(0.5, 2.0, size=(count, 1))  # not unit length
    scales = rng.uniform(0.8, 1.2, size=(count, 3))
    return translations, rotations, scales


def _random_parents(rng: np.random.Generator, count: int, shuffle: bool) -> np.ndarray:
    """A random forest with parents before children, optionally with node indices shuffled."""
    parents = np.array([-1] + [int(rng.integers(-1, i)) if i % 7 == 0 else int(rng.integers(0, i))
                               for i in range(1, count)], dtype=np.int32)
    if not shuffle:
        return parents
    perm = rng.permutation(count)  # old index -> new index
    shuffled = np.empty(count, dtype=np.int32)
    shuffled[perm] = np.where(parents < 0, -1, perm[parents])
    return shuffled


def _order(parents: np.ndarray) -> np.ndarray:
    return topological_order([Node(name=str(i), parent=int(p)) for i, p in enumerate(parents)])


def _unit(rng: np.random.Generator, count: int) -> np.ndarray:
    v = rng.normal(size=(count, 3))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def _weights(rng: np.random.Generator, count: int, k: int) -> np.ndarray:
    raw = rng.uniform(0.0, 3.0, size=(count, k)).astype(np.float32)  # unnormalised ...
    raw[rng.random((count, k)) < 0.3] = 0.0
    raw[:, 0] += 0.1
    return (raw / raw.sum(axis=1, keepdims=True)).astype(np.float32)  # ... then normalised


def test_local_matrices_match_reference() -> None:
    rng = np.random.default_rng(1)
    t, r, s = _random_trs(rng, 40)
    r[3] = 0.0  # a zero quaternion reads as identity in both
    out = np.empty((40, 4, 4))
    local_matrices(t, r, s, out)
    np.testing.assert_allclose(out, local_matrices_ref(t, r, s), atol=TOL)


@pytest.mark.parametrize("shuffle", [False, True], ids=["parents-first", "shuffled"])
@pytest.mark.parametrize("seed", [2, 3])
def test_world_matrices_match_reference_on_random_hierarchies(shuffle: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    count = 60
    parents = _random_parents(rng, count, shuffle)
    order = _order(parents)
    local = local_matrices_ref(*_random_trs(rng, count))
    out = np.empty_like(local)
    world_matrices(local, parents, order, out)
    np.testing.assert_allclose(out, world_matrices_ref(local, parents, order), atol=TOL)
    nodes = [Node(name=str(i), parent=int(p)) for i, p in enumerate(parents)]
    np.testing.assert_allclose(out, world_from_local(nodes, local), atol=TOL)


@pytest.mark.parametrize("with_mesh_node", [False, True])
def test_skin_matrices_match_reference(with_mesh_node: bool) -> None:
    rng = np.random.default_rng(4)
    count = 30
    parents = _random_parents(rng, count, shuffle=True)
    world = world_matrices_ref(local_matrices_ref(*_random_trs(rng, count)), parents, _order(parents))
    joints = rng.choice(count, size=20, replace=False).astype(np.int32)
    inverse_bind = np.linalg.inv(local_matrices_ref(*_random_trs(rng, 20)))
    mesh_inverse = np.linalg.inv(world[5]) if with_mesh_node else None
    out = np.empty((20, 3, 4), np.float32)
    skin_matrices(world, joints, inverse_bind, np.eye(4) if mesh_inverse is None else mesh_inverse, out)
    expected = skin_matrices_ref(world, joints, inverse_bind, mesh_inverse)
    np.testing.assert_allclose(out, expected[:, :3, :], atol=TOL)


@pytest.mark.parametrize("k,joint_dtype", [(4, np.uint16), (8, np.uint16), (4, np.int32), (3, np.uint16)])
def test_skinning_matches_reference(k: int, joint_dtype: type) -> None:
    rng = np.random.default_rng(10 + k)
    n, j = 2000, 50
    positions = rng.normal(size=(n, 3)).astype(np.float32)
    normals = _unit(rng, n)
    joints = rng.integers(0, j, size=(n, k)).astype(joint_dtype)
    weights = _weights(rng, n, k)
    skin = local_matrices_ref(*_random_trs(rng, j))[:, :3, :].astype(np.float32)
    out_p, out_n = np.empty_like(positions), np.empty_like(normals)
    skin_vertices(positions, normals, joints, weights, np.ascontiguousarray(skin), out_p, out_n)
    ref_p, ref_n = skin_vertices_ref(positions, normals, joints, weights, skin)
    np.testing.assert_allclose(out_p, ref_p, atol=TOL)
    np.testing.assert_allclose(out_n, ref_n, atol=TOL)
    np.testing.assert_allclose(np.linalg.norm(out_n, axis=1), 1.0, atol=TOL)


def test_identity_pose_leaves_vertices_at_bind_pose() -> None:
    rng = np.random.default_rng(5)
    count = 25
    parents = _random_parents(rng, count, shuffle=True)
    order = _order(parents)
    t, r, s = _random_trs(rng, count)
    rest_world = world_matrices_ref(local_matrices_ref(t, r, s), parents, order)
    joints = np.arange(count, dtype=np.int32)
    skin = pose_skin_matrices(t, r, s, parents, order, joints, np.linalg.inv(rest_world))
    np.testing.assert_allclose(skin, np.tile(np.eye(4)[:3], (count, 1, 1)), atol=TOL)
    n = 500
    positions = rng.normal(size=(n, 3)).astype(np.float32)
    normals = _unit(rng, n)
    out_p, out_n = np.empty_like(positions), np.empty_like(normals)
    skin_vertices(positions, normals, rng.integers(0, count, size=(n, 4)).astype(np.uint16),
                  _weights(rng, n, 4), skin, out_p, out_n)
    np.testing.assert_allclose(out_p, positions, atol=TOL)
    np.testing.assert_allclose(out_n, normals, atol=TOL)


def test_one_joint_rotated_90_degrees_about_y() -> None:
    # joint at (0, 1, 0); vertex one unit along +X from it. +90 deg about Y maps +X to -Z.
    t = np.array([[0.0, 1.0, 0.0]])
    scales = np.ones((1, 3))
    inverse_bind = np.linalg.inv(local_matrices_ref(t, np.array([[0.0, 0.0, 0.0, 1.0]]), scales))
    rotation = quat_from_euler_deg(0.0, 90.0, 0.0)[None, :]
    skin = pose_skin_matrices(t, rotation, scales, np.array([-1]), np.array([0]), np.array([0]), inverse_bind)
    positions = np.array([[1.0, 1.0, 0.0]], np.float32)
    normals = np.array([[0.0, 0.0, 1.0]], np.float32)
    out_p, out_n = np.empty_like(positions), np.empty_like(normals)
    skin_vertices(positions, normals, np.zeros((1, 4), np.uint16), np.array([[1.0, 0, 0, 0]], np.float32),
                  skin, out_p, out_n)
    np.testing.assert_allclose(out_p[0], [0.0, 1.0, -1.0], atol=TOL)
    np.testing.assert_allclose(out_n[0], [1.0, 0.0, 0.0], atol=TOL)  # +Z maps to +X


def _random_targets(rng: np.random.Generator, n: int, count: int) -> list[MorphTarget]:
    targets = []
    for t in range(count):
        mask = rng.random(n) < rng.uniform(0.05, 0.3)
        dp = np.zeros((n, 3), np.float32)
        dp[mask] = rng.normal(scale=0.1, size=(mask.sum(), 3))
        dn = None
        if t % 3:  # some targets carry no normal deltas
            dn = np.zeros((n, 3), np.float32)
            dn[mask] = rng.normal(scale=0.1, size=(mask.sum(), 3))
        targets.append(MorphTarget(f"t{t}", dp, dn))
    return targets


def test_sparse_morphs_match_dense_reference() -> None:
    rng = np.random.default_rng(6)
    n = 3000
    targets = _random_targets(rng, n, 12)
    morphs = sparse_from_targets(targets, n)
    assert morphs.target_count == 12
    for t, target in enumerate(targets):  # only non-zero rows are stored
        ids = morphs.vertex_ids[morphs.offsets[t]:morphs.offsets[t + 1]]
        assert set(ids) == set(np.flatnonzero(np.any(target.positions != 0.0, axis=1)))
    base_p = rng.normal(size=(n, 3)).astype(np.float32)
    base_n = _unit(rng, n)
    weights = np.array([0.5, 0.0, -0.7, 1e-8, 1.0, 0.0, 0.25, -1e-7, 0.9, 0.0, 0.3, 2e-6], np.float32)
    out_p, out_n = np.empty_like(base_p), np.empty_like(base_n)
    active = morph_accumulate(base_p, base_n, morphs.offsets, morphs.vertex_ids, morphs.position_deltas,
                              morphs.normal_deltas, weights, 1e-6, out_p, out_n)
    assert active == 7
    ref_p, ref_n = morph_dense_ref(base_p, base_n, [t.positions for t in targets],
                                   [t.normals for t in targets], weights)
    np.testing.assert_allclose(out_p, ref_p, atol=TOL)
    np.testing.assert_allclose(out_n, ref_n, atol=TOL)
    sparse_p, sparse_n = morph_sparse_ref(base_p, base_n, morphs, weights)
    np.testing.assert_allclose(out_p, sparse_p, atol=TOL)
    np.testing.assert_allclose(out_n, sparse_n, atol=TOL)


def test_zero_weight_targets_are_skipped() -> None:
    n = 10
    base = np.zeros((n, 3), np.float32)
    poisoned = np.full((n, 3), np.nan, np.float32)  # would spoil every vertex if it were read
    fine = np.zeros((n, 3), np.float32)
    fine[2] = [0.0, 1.0, 0.0]
    morphs = sparse_from_targets([MorphTarget("nan", poisoned, poisoned), MorphTarget("up", fine, fine)], n)
    out_p, out_n = np.empty_like(base), np.empty_like(base)
    for zero in (0.0, 1e-7, -1e-6):
        active = morph_accumulate(base, base, morphs.offsets, morphs.vertex_ids, morphs.position_deltas,
                                  morphs.normal_deltas, np.array([zero, 0.5], np.float32), 1e-6, out_p, out_n)
        assert active == 1
        assert np.isfinite(out_p).all() and np.isfinite(out_n).all()
        np.testing.assert_allclose(out_p[2], [0.0, 0.5, 0.0])


def test_skinned_primitive_morphs_then_skins_with_reused_buffers() -> None:
    rng = np.random.default_rng(8)
    n, j, k = 1500, 30, 8
    targets = _random_targets(rng, n, 6)
    prim = Primitive(positions=rng.normal(size=(n, 3)).astype(np.float32), indices=np.zeros((0, 3), np.uint32),
                     normals=_unit(rng, n), joints=rng.integers(0, j, size=(n, k)).astype(np.uint16),
                     weights=_weights(rng, n, k), targets=targets)
    sp = SkinnedPrimitive.from_primitive(prim, joint_count=j)
    skin44 = local_matrices_ref(*_random_trs(rng, j))
    weights = np.array([0.3, 0.0, 1.0, 0.0, -0.5, 1e-9])
    first_p, first_n = sp.deform(skin44, weights)
    morphed_p, morphed_n = morph_dense_ref(prim.positions, prim.normals, [t.positions for t in targets],
                                           [t.normals for t in targets], weights)
    ref_p, ref_n = skin_vertices_ref(morphed_p, morphed_n, prim.joints, prim.weights, skin44)
    np.testing.assert_allclose(first_p, ref_p, atol=TOL)
    np.testing.assert_allclose(first_n, ref_n, atol=TOL)
    second_p, second_n = sp.deform(skin44[:, :3, :].astype(np.float32), np.zeros(6))
    assert second_p is first_p and second_n is first_n  # same buffers every frame
    ref_p, _ = skin_vertices_ref(prim.positions, prim.normals, prim.joints, prim.weights, skin44)
    np.testing.assert_allclose(second_p, ref_p, atol=TOL)
    with pytest.raises(ValueError):
        sp.deform(skin44, np.zeros(3))


def test_primitive_without_normals_or_skin() -> None:
    rng = np.random.default_rng(9)
    n = 200
    targets = _random_targets(rng, n, 2)
    prim = Primitive(positions=rng.normal(size=(n, 3)).astype(np.float32),
                     indices=np.zeros((0, 3), np.uint32), targets=targets)
    sp = SkinnedPrimitive.from_primitive(prim)
    positions, normals = sp.deform(None, np.array([1.0, 0.5]))
    assert normals.shape == (0, 3)
    expected, _ = morph_dense_ref(prim.positions, None, [t.positions for t in targets], [None, None],
                                  np.array([1.0, 0.5]))
    np.testing.assert_allclose(positions, expected, atol=TOL)


@pytest.mark.parametrize("k", [4, 8])
def test_skinning_without_normals(k: int) -> None:
    rng = np.random.default_rng(12)
    n, j = 300, 10
    positions = rng.normal(size=(n, 3)).astype(np.float32)
    joints = rng.integers(0, j, size=(n, k)).astype(np.uint16)
    weights = _weights(rng, n, k)
    skin = np.ascontiguousarray(local_matrices_ref(*_random_trs(rng, j))[:, :3, :].astype(np.float32))
    out_p = np.empty_like(positions)
    no_normals = np.zeros((0, 3), np.float32)
    skin_vertices(positions, no_normals, joints, weights, skin, out_p, no_normals)
    ref_p, _ = skin_vertices_ref(positions, None, joints, weights, skin)
    np.testing.assert_allclose(out_p, ref_p, atol=TOL)
