"""ECS core: a world wrapper over esper, deferred commands, typed resources and events."""

from engine.ecs.events import EventReader, Events
from engine.ecs.resources import Resources
from engine.ecs.world import Commands, World

__all__ = ["Commands", "EventReader", "Events", "Resources", "World"]
