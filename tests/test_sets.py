"""Built-in virtual sets: they build, are sane in size, leave the talent's space clear, are deterministic."""

from __future__ import annotations

import numpy as np
import pytest

from engine.assets.model import AvatarAsset
from engine.sets import CLEAR_RADIUS, SET_NAMES, make_set, set_has_floor


@pytest.fixture(scope="module", params=SET_NAMES)
def built(request: pytest.FixtureRequest) -> tuple[str, AvatarAsset]:
    return request.param, make_set(request.param)


def _triangles(asset: AvatarAsset) -> np.ndarray:
    return np.concatenate([p.positions[p.indices] for m in asset.meshes for p in m.primitives])


def _covered(tris: np.ndarray, point: np.ndarray) -> bool:
    """Whether any 2D triangle (N, 3, 2) contains ``point`` (barycentric test)."""
    a, b, c = tris[:, 0], tris[:, 1], tris[:, 2]
    v0, v1, v2 = c - a, b - a, point - a
    d00, d01, d11 = (v0 * v0).sum(1), (v0 * v1).sum(1), (v1 * v1).sum(1)
    d02, d12 = (v0 * v2).sum(1), (v1 * v2).sum(1)
    den = d00 * d11 - d01 * d01
    den = np.where(np.abs(den) < 1e-12, np.nan, den)
    u, v = (d11 * d02 - d01 * d12) / den, (d00 * d12 - d01 * d02) / den
    return bool(((u >= -1e-6) & (v >= -1e-6) & (u + v <= 1 + 1e-6)).any())


def test_set_names() -> None:
    assert set(SET_NAMES) == {"news_studio", "airport_hall", "showroom", "stage"}
    with pytest.raises(ValueError, match="news_studio"):
        make_set("moon_base")


def test_sets_are_static_well_formed_meshes(built: tuple[str, AvatarAsset]) -> None:
    name, asset = built
    assert asset.skins == [] and asset.animations == [] and asset.vrm is None
    assert 500 < asset.vertex_count < 20000
    for mesh in asset.meshes:
        for prim in mesh.primitives:
            assert prim.positions.dtype == np.float32 and prim.positions.shape[1] == 3
            assert prim.normals is not None and prim.normals.dtype == np.float32
            assert np.allclose(np.linalg.norm(prim.normals, axis=1), 1.0, atol=1e-4)
            assert prim.indices.dtype == np.uint32 and prim.indices.shape[1] == 3
            assert prim.indices.max() < len(prim.positions)
            assert prim.material is not None and prim.joints is None and not prim.targets
            tri = prim.positions[prim.indices].astype(np.float64)
            face = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
            assert (np.einsum("ij,ij->i", face, prim.normals[prim.indices].mean(axis=1)) > 0).all()  # CCW
    for material in asset.materials:
        assert material.base_color.shape == (4,) and 0.0 <= material.base_color.min() <= material.base_color.max() <= 1
    assert any(m.emissive.max() > 0.5 for m in asset.materials)  # screens / light panels glow
    assert name in asset.generator


def test_bounds_floor_and_backdrop(built: tuple[str, AvatarAsset]) -> None:
    _, asset = built
    points = _triangles(asset).reshape(-1, 3)
    low, high = points.min(axis=0), points.max(axis=0)
    assert (high - low)[[0, 2]].min() > 8.0 and (high - low).max() < 40.0  # room-sized, in metres
    assert -1.5 < low[1] <= 0.0 and 3.0 < high[1] < 12.0
    assert set_has_floor(asset)
    # a floor: faces near y = 0 under the talent, around them and toward the camera
    tris = _triangles(asset)
    flat = tris[np.abs(tris[:, :, 1]).max(axis=1) < 0.005][:, :, [0, 2]].astype(np.float64)
    for x, z in ((0.0, 0.0), (2.0, 2.0), (-2.0, 2.0), (0.3, 4.5), (0.3, -2.5)):
        assert _covered(flat, np.array([x, z])), (x, z)
    # something tall behind the talent (the backdrop at negative Z)
    behind = points[(points[:, 2] < -3.0) & (np.abs(points[:, 0]) < 1.0)]
    assert behind[:, 1].max() > 2.5


def test_talent_space_is_clear(built: tuple[str, AvatarAsset]) -> None:
    tris = _triangles(built[1])
    low, high = tris.min(axis=1), tris.max(axis=1)
    r = CLEAR_RADIUS
    inside = ((low[:, 0] < r) & (high[:, 0] > -r) & (low[:, 2] < r) & (high[:, 2] > -r)
              & (high[:, 1] > 0.02) & (low[:, 1] < 2.4))
    assert not inside.any()


@pytest.mark.parametrize("name", SET_NAMES)
def test_sets_are_deterministic_per_seed(name: str) -> None:
    a, b, c = make_set(name, 3), make_set(name, 3), make_set(name, 4)
    assert np.array_equal(_triangles(a), _triangles(b))
    assert [m.base_color.tolist() for m in a.materials] == [m.base_color.tolist() for m in b.materials]
    assert not (np.array_equal(_triangles(a), _triangles(c))
                and [m.base_color.tolist() for m in a.materials] == [m.base_color.tolist() for m in c.materials])
