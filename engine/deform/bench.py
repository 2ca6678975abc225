"""Bench measurements for deformation: numba skinning and morph kernels vs numpy, in one run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.assets.model import MorphTarget, Primitive
from engine.deform import kernels
from engine.deform.measurement import Measurement
from engine.deform.morphs import ACTIVE_THRESHOLD, SparseMorphs, sparse_from_targets
from engine.deform.reference import morph_sparse_ref, skin_vertices_ref
from engine.deform.skinned import pose_skin_matrices

SKINNING_TARGET = ">= 100 Mvert/s and >= 15x numpy"
MORPHS_TARGET = ">= 100 Mvert/s and >= 15x numpy"


@dataclass(slots=True, eq=False)
class SkinningCase:
    """A synthetic skinned mesh and one posed frame of skin matrices."""

    positions: np.ndarray  # (N, 3) float32
    normals: np.ndarray  # (N, 3) float32
    joints: np.ndarray  # (N, K) uint16
    weights: np.ndarray  # (N, K) float32, rows sum to 1
    skin: np.ndarray  # (J, 3, 4) float32


def _random_unit(rng: np.random.Generator, count: int) -> np.ndarray:
    v = rng.normal(size=(count, 3))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def _small_rotations(rng: np.random.Generator, count: int, max_angle: float) -> np.ndarray:
    axes = _random_unit(rng, count).astype(np.float64)
    half = rng.uniform(-max_angle, max_angle, size=(count, 1)) * 0.5
    return np.hstack([axes * np.sin(half), np.cos(half)])


def skinning_case(vertices: int = 50_000, joints: int = 100, influences: int = 4, seed: int = 7) -> SkinningCase:
    """A body-like mesh: vertices grouped by their main joint (as exported meshes are), each with
    up to ``influences`` joints from that joint's neighbourhood; ~30% use only one or two."""
    rng = np.random.default_rng(seed)
    parents = np.array([-1] + [int(rng.integers(max(0, i - 4), i)) for i in range(1, joints)], dtype=np.int32)
    order = np.arange(joints, dtype=np.int32)
    rest_t = rng.normal(scale=0.1, size=(joints, 3))
    rest_r = np.tile([0.0, 0.0, 0.0, 1.0], (joints, 1))
    ones = np.ones((joints, 3))
    rest = pose_skin_matrices(rest_t, rest_r, ones, parents, order, order, np.tile(np.eye(4), (joints, 1, 1)))
    rest44 = np.zeros((joints, 4, 4))
    rest44[:, :3, :] = rest
    rest44[:, 3, 3] = 1.0
    inverse_bind = np.linalg.inv(rest44)

    main = np.minimum((np.arange(vertices) * joints) // vertices, joints - 1)
    neighbours = np.stack([main, parents[main].clip(0), (main + 1) % joints, (main + 2) % joints,
                           parents[parents[main].clip(0)].clip(0), (main + 3) % joints,
                           (main + joints - 1) % joints, (main + 4) % joints], axis=1)
    joint_ids = neighbours[:, :influences].astype(np.uint16)
    weights = rng.gamma(1.0, size=(vertices, influences)).astype(np.float32)
    weights[:, 0] += 1.0  # the main joint dominates
    few = rng.random(vertices) < 0.3
    weights[few, 2:] = 0.0
    weights /= weights.sum(axis=1, keepdims=True)

    positions = (rest44[main, :3, 3] + rng.normal(scale=0.05, size=(vertices, 3))).astype(np.float32)
    pose_r = _small_rotations(rng, joints, 0.6)
    skin = pose_skin_matrices(rest_t, pose_r, ones, parents, order, order, inverse_bind)
    return SkinningCase(positions, _random_unit(rng, vertices), joint_ids, weights.astype(np.float32), skin)


def morph_case(vertices: int = 50_000, targets: int = 52, active: int = 10, seed: int = 11
               ) -> tuple[Primitive, np.ndarray]:
    """A face-like primitive with ``targets`` ARKit-style targets, each touching 5-20% of the
    vertices (a window of the vertex order, as face regions are, with ~20% holes), and weights
    with ``active`` of them non-zero (plus two below the 1e-6 threshold)."""
    rng = np.random.default_rng(seed)
    positions = rng.normal(size=(vertices, 3)).astype(np.float32)
    normals = _random_unit(rng, vertices)
    morph_targets = []
    for t in range(targets):
        span = int(vertices * rng.uniform(0.05, 0.20) / 0.8)
        start = int(rng.integers(0, vertices - span))
        ids = np.arange(start, start + span)
        ids = ids[rng.random(span) < 0.8]
        dp = np.zeros((vertices, 3), np.float32)
        dn = np.zeros((vertices, 3), np.float32)
        dp[ids] = rng.normal(scale=0.01, size=(len(ids), 3))
        dn[ids] = rng.normal(scale=0.05, size=(len(ids), 3))
        morph_targets.append(MorphTarget(f"target{t}", dp, dn))
    weights = np.zeros(targets, np.float32)
    on = rng.choice(targets, size=active + 2, replace=False)
    weights[on[:active]] = rng.uniform(0.1, 1.0, size=active)
    weights[on[active:]] = 1e-8  # below the threshold: must be skipped
    prim = Primitive(positions=positions, indices=np.zeros((0, 3), np.uint32), normals=normals,
                     targets=morph_targets)
    return prim, weights


def _interleaved(fast: Callable[[], object], slow: Callable[[], object], fast_frames: int,
                 slow_frames: int, repeats: int) -> tuple[float, float]:
    """Median seconds per frame of each, repeats interleaved so both see the same machine load."""
    fast()  # warm up: compile (or load the cache) and touch the buffers
    slow()
    fast_times, slow_times = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(fast_frames):
            fast()
        fast_times.append((time.perf_counter() - start) / fast_frames)
        start = time.perf_counter()
        for _ in range(slow_frames):
            slow()
        slow_times.append((time.perf_counter() - start) / slow_frames)
    return statistics.median(fast_times), statistics.median(slow_times)


def bench_skinning(vertices: int = 50_000, repeats: int = 9) -> Measurement:
    """LBS of positions + normals, 4 influences: numba kernel vs numpy reference, Mvert/s."""
    case = skinning_case(vertices)
    out_p = np.empty_like(case.positions)
    out_n = np.empty_like(case.normals)

    def fast() -> None:
        kernels.skin_vertices(case.positions, case.normals, case.joints, case.weights, case.skin, out_p, out_n)

    def slow() -> None:
        skin_vertices_ref(case.positions, case.normals, case.joints, case.weights, case.skin)

    fast_s, slow_s = _interleaved(fast, slow, 40, 2, repeats)
    value, base = vertices / fast_s / 1e6, vertices / slow_s / 1e6
    ratio = value / base
    return Measurement("skinning", value, "Mvert/s", "numpy", base, ratio, SKINNING_TARGET,
               value >= 100.0 and ratio >= 15.0)


def bench_morphs(vertices: int = 50_000, repeats: int = 9) -> Measurement:
    """Morph stage (copy bind pose, add 10 active of 52 sparse targets, positions + normals):
    numba kernel vs numpy fancy indexing over the same sparse rows, in mesh Mvert/s."""
    prim, weights = morph_case(vertices)
    morphs: SparseMorphs = sparse_from_targets(prim.targets, vertices)
    positions, normals = prim.positions, prim.normals
    assert normals is not None
    out_p = np.empty_like(positions)
    out_n = np.empty_like(normals)

    def fast() -> None:
        kernels.morph_accumulate(positions, normals, morphs.offsets, morphs.vertex_ids, morphs.position_deltas,
                                 morphs.normal_deltas, weights, ACTIVE_THRESHOLD, out_p, out_n)

    def slow() -> None:
        morph_sparse_ref(positions, normals, morphs, weights)

    fast_s, slow_s = _interleaved(fast, slow, 100, 10, repeats)
    value, base = vertices / fast_s / 1e6, vertices / slow_s / 1e6
    ratio = value / base
    return Measurement("morphs", value, "Mvert/s", "numpy", base, ratio, MORPHS_TARGET,
               value >= 100.0 and ratio >= 15.0)
