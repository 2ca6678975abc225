"""World transforms from the Transform / Parent hierarchy."""

import numpy as np
import pytest

from engine.app import App
from engine.components import Parent, Transform, WorldTransform
from engine.mathx import quat_from_euler_deg
from engine.transforms import HierarchyError, TransformPlugin, propagate_transforms


def _app():
    app = App()
    app.add_plugin(TransformPlugin())
    return app


def test_child_follows_parent_translation_rotation_and_scale():
    app = _app()
    world = app.world
    parent = world.spawn_now(Transform(position=np.array([1.0, 0.0, 0.0]),
                                       rotation=quat_from_euler_deg(0, 90, 0),
                                       scale=np.array([2.0, 2.0, 2.0])), WorldTransform())
    child = world.spawn_now(Transform(position=np.array([0.0, 0.0, 1.0])), WorldTransform(), Parent(parent))
    grandchild = world.spawn_now(Transform(position=np.array([0.0, 1.0, 0.0])), WorldTransform(), Parent(child))
    app.step()
    # rotating +90 deg about Y maps +Z to +X; scale 2 doubles the offset
    assert np.allclose(world.get(child, WorldTransform).position, [3.0, 0.0, 0.0])
    assert np.allclose(world.get(grandchild, WorldTransform).position, [3.0, 2.0, 0.0])


def test_moving_the_parent_moves_the_child_next_frame():
    app = _app()
    world = app.world
    parent = world.spawn_now(Transform(), WorldTransform())
    child = world.spawn_now(Transform(position=np.array([0.0, 1.0, 0.0])), WorldTransform(), Parent(parent))
    app.step()
    world.get(parent, Transform).position[:] = [0.0, 0.0, -5.0]
    app.step()
    assert np.allclose(world.get(child, WorldTransform).position, [0.0, 1.0, -5.0])


def test_entities_without_world_transform_get_one():
    app = _app()
    entity = app.world.spawn_now(Transform(position=np.array([1.0, 2.0, 3.0])))
    app.step()
    assert np.allclose(app.world.get(entity, WorldTransform).position, [1.0, 2.0, 3.0])


def test_cycles_are_reported():
    app = _app()
    world = app.world
    a = world.spawn_now(Transform())
    b = world.spawn_now(Transform(), Parent(a))
    world.commands.insert(a, Parent(b))
    world.flush()
    with pytest.raises(HierarchyError):
        propagate_transforms(world, 0.0)
