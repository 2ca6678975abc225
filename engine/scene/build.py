"""Build a world from a validated scene: entities with their components, resources, behaviours."""

from __future__ import annotations

from engine.components import Behaviours, Camera, Name, Parent, Tags, Transform, WorldTransform
from engine.ecs import World
from engine.scene.actions import ActionLog, EntityIndex, SceneInfo
from engine.scene.model import SceneDoc
from engine.scene.schema import COMPONENTS
from engine.scripting.host import ScriptHost


def build_world(doc: SceneDoc) -> World:
    """A new world holding ``doc``'s entities; behaviours are imported and attached."""
    world = World(doc.id)
    index = EntityIndex()
    camera_targets: list[tuple[Camera, str, str]] = []
    for entity in doc.entities:
        components: list[object] = [Name(entity.name)]
        transform_values = entity.components.get("transform", {})
        components.append(COMPONENTS["transform"].build(transform_values) if transform_values else Transform())
        components.append(WorldTransform())
        for name, values in entity.components.items():
            if name == "transform":
                continue
            values = dict(values)
            refs = {key: values.pop(key, None) for key in ("target", "subject")} if name == "camera" else {}
            component = COMPONENTS[name].build(values)
            for key, ref in refs.items():
                if ref is not None:
                    camera_targets.append((component, key, ref))
            components.append(component)
        if entity.tags:
            components.append(Tags(entity.tags))
        if entity.behaviours:
            components.append(Behaviours(entity.behaviours))
        index.by_name[entity.name] = world.spawn_now(*components)
    for entity in doc.entities:
        if entity.parent:
            world.commands.insert(index.by_name[entity.name], Parent(index.by_name[entity.parent]))
    world.flush()
    for camera, key, ref in camera_targets:
        setattr(camera, key, index.by_name[ref])

    world.resources.insert(SceneInfo(doc))
    world.resources.insert(index)
    world.resources.insert(ActionLog())
    host = ScriptHost()
    world.resources.insert(host)
    host.load(world, doc, index.by_name)
    return world
