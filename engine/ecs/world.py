"""A world wrapper over esper: one esper context per loaded scene, with deferred structural edits.

esper 3 keeps its database in module globals and clears its whole query cache on
every structural change (spawn, despawn, add or remove a component). Systems
therefore edit structure through :class:`Commands`, which the app applies once at
the end of a frame.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import esper

from engine.ecs.events import Events
from engine.ecs.resources import Resources

C = TypeVar("C")

_world_ids = itertools.count(1)


@dataclass(slots=True)
class _Spawn:
    entity: int
    components: tuple[Any, ...]


@dataclass(slots=True)
class _Despawn:
    entity: int


@dataclass(slots=True)
class _Insert:
    entity: int
    component: Any


@dataclass(slots=True)
class _Remove:
    entity: int
    kind: type


@dataclass(slots=True)
class Commands:
    """A buffer of structural edits, applied in order by :meth:`World.flush`."""

    world: World
    queue: list[Any] = field(default_factory=list)

    def spawn(self, *components: Any) -> int:
        """Reserve an entity id now; the entity and its components appear at the flush."""
        entity = self.world._reserve_id()
        self.queue.append(_Spawn(entity, components))
        return entity

    def despawn(self, entity: int) -> None:
        """Delete ``entity`` and all its components at the flush."""
        self.queue.append(_Despawn(entity))

    def insert(self, entity: int, component: Any) -> None:
        """Add (or replace) a component at the flush."""
        self.queue.append(_Insert(entity, component))

    def remove(self, entity: int, kind: type) -> None:
        """Remove the component of type ``kind`` at the flush (no error if it is gone)."""
        self.queue.append(_Remove(entity, kind))

    def __len__(self) -> int:
        return len(self.queue)


class World:
    """One scene's entities, components, resources and events."""

    def __init__(self, label: str = "world") -> None:
        self.label = label
        self.name = f"persona:{label}:{next(_world_ids)}"
        self.resources = Resources()
        self.events = Events()
        self.commands = Commands(self)
        # esper numbers entities 1, 2, 3, ... per context; we mirror its counter so that
        # ids handed out by Commands.spawn are the ids esper assigns at the flush.
        self._next_id = 1
        self._alive = True
        self._enter()

    # -- context -----------------------------------------------------------------
    def _enter(self) -> None:
        if not self._alive:
            raise RuntimeError(f"world {self.label!r} was closed")
        if esper.current_world != self.name:
            esper.switch_world(self.name)

    def close(self) -> None:
        """Close resources that have ``close()`` and delete the esper context; do not use afterwards."""
        if not self._alive:
            return
        for kind in self.resources.types():  # e.g. script hosts unload their modules
            closer = getattr(self.resources.get(kind), "close", None)
            if callable(closer):
                closer()
        if esper.current_world == self.name:
            esper.switch_world("default")
        esper.delete_world(self.name)
        self._alive = False

    # -- immediate structural edits (setup code, scene building, flush) ------------
    def _reserve_id(self) -> int:
        entity = self._next_id
        self._next_id += 1
        return entity

    def spawn_now(self, *components: Any) -> int:
        """Create an entity immediately (for scene building, not for systems mid-frame)."""
        self._enter()
        expected = self._reserve_id()
        entity = esper.create_entity(*components)
        if entity != expected:  # someone created entities behind our back
            raise RuntimeError(f"esper assigned entity {entity}, expected {expected}")
        return entity

    def flush(self) -> int:
        """Apply every queued command in order; return how many were applied."""
        self._enter()
        queue = self.commands.queue
        applied = len(queue)
        for command in queue:
            if isinstance(command, _Spawn):
                entity = esper.create_entity(*command.components)
                if entity != command.entity:
                    raise RuntimeError(f"esper assigned entity {entity}, expected {command.entity}")
            elif isinstance(command, _Despawn):
                if esper.entity_exists(command.entity):
                    esper.delete_entity(command.entity, immediate=True)
            elif isinstance(command, _Insert):
                if esper.entity_exists(command.entity):
                    esper.add_component(command.entity, command.component)
            elif isinstance(command, _Remove):
                if esper.entity_exists(command.entity):
                    esper.try_remove_component(command.entity, command.kind)
        queue.clear()
        return applied

    # -- queries ------------------------------------------------------------------
    def query(self, *kinds: type) -> list[tuple[int, tuple[Any, ...]]]:
        """Entities having every component in ``kinds``, with those components (cached by esper)."""
        self._enter()
        return esper.get_components(*kinds)

    def query_one(self, kind: type[C]) -> list[tuple[int, C]]:
        """Entities having component ``kind``, with it."""
        self._enter()
        return esper.get_component(kind)

    def get(self, entity: int, kind: type[C]) -> C:
        """The component ``kind`` of ``entity``; KeyError if it has none."""
        self._enter()
        return esper.component_for_entity(entity, kind)

    def try_get(self, entity: int, kind: type[C]) -> C | None:
        """The component ``kind`` of ``entity``, or None."""
        self._enter()
        if not esper.entity_exists(entity):
            return None
        return esper.try_component(entity, kind)

    def has(self, entity: int, kind: type) -> bool:
        """Whether ``entity`` exists and has a component of type ``kind``."""
        self._enter()
        return esper.entity_exists(entity) and esper.has_component(entity, kind)

    def exists(self, entity: int) -> bool:
        """Whether ``entity`` is alive in this world."""
        self._enter()
        return esper.entity_exists(entity)

    def entities(self) -> list[int]:
        """All live entity ids, ascending."""
        self._enter()
        return sorted(esper.get_entities())

    def components_of(self, entity: int) -> tuple[Any, ...]:
        """Every component of ``entity``."""
        self._enter()
        return esper.components_for_entity(entity)

    def __len__(self) -> int:
        self._enter()
        return sum(1 for _ in esper.get_entities())

    def insert_resources(self, values: Iterable[Any]) -> None:
        """Store several resources at once."""
        for value in values:
            self.resources.insert(value)
