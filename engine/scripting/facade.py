"""The narrow view of a scene that behaviours get: find entities, read components, issue actions."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from engine.app import Clock
from engine.ecs import World
from engine.scene.actions import (
    ActionLog,
    EntityIndex,
    FiredAction,
    SceneInfo,
    check_action_args,
    make_action,
)

C = TypeVar("C")
log = logging.getLogger("persona.scripts")


class SceneFacade:
    """What a behaviour may do; structural edits are deferred to the end of the frame."""

    def __init__(self, world: World, source: str) -> None:
        self._world = world
        self._source = source

    # -- reading ---------------------------------------------------------------------
    @property
    def time(self) -> float:
        """Seconds of scene time."""
        return self._world.resources.get(Clock).time

    @property
    def scene_id(self) -> str:
        """The ``[scene] id`` of the running scene."""
        return self._world.resources.get(SceneInfo).doc.id

    @property
    def language(self) -> str:
        """The scene's language (``zh`` or ``en``)."""
        return self._world.resources.get(SceneInfo).doc.language

    @property
    def session(self) -> Any:
        """The current viewer session, or None when nobody is watching (headless renders)."""
        from engine.scene.runtime import ViewerSessionRef

        ref = self._world.resources.try_get(ViewerSessionRef)
        return ref.session if ref else None

    def find(self, name: str) -> int | None:
        """The entity with scene name ``name``, or None."""
        return self._world.resources.get(EntityIndex).by_name.get(name)

    def name_of(self, entity: int) -> str | None:
        """The scene name of ``entity``."""
        return self._world.resources.get(EntityIndex).name_of(entity)

    def get(self, entity: int, kind: type[C]) -> C | None:
        """The component ``kind`` of ``entity`` (mutable in place), or None."""
        return self._world.try_get(entity, kind)

    def entities_with(self, *kinds: type) -> list[int]:
        """Entities having all of ``kinds``, ascending."""
        return sorted(entity for entity, _ in self._world.query(*kinds))

    # -- structure (deferred) ---------------------------------------------------------------
    def spawn(self, *components: Any) -> int:
        """Create an entity at the end of this frame; its id is valid now."""
        return self._world.commands.spawn(*components)

    def despawn(self, entity: int) -> None:
        """Delete ``entity`` at the end of this frame."""
        self._world.commands.despawn(entity)

    def insert(self, entity: int, component: Any) -> None:
        """Add or replace a component at the end of this frame."""
        self._world.commands.insert(entity, component)

    # -- actions ---------------------------------------------------------------------------
    def _issue(self, kind: str, **args: Any) -> None:
        doc = self._world.resources.get(SceneInfo).doc
        index = self._world.resources.get(EntityIndex)
        values = check_action_args(kind, args, doc, index)
        self._world.events.send(make_action(kind, values, index, self._source))
        self._world.resources.get(ActionLog).add(FiredAction(self.time, self._source, kind, values))

    def say(self, who: str | int, text: str | None = None, lang: str | None = None,
            audio: str | None = None) -> None:
        """``who`` speaks ``text`` (or plays the recorded line ``audio``, a path under assets/)."""
        if not text and not audio:
            raise ValueError("say: give text, audio or both")
        self._issue("say", who=who, text=text, lang=lang, audio=audio)

    def emote(self, who: str | int, emotion: str, intensity: float = 1.0, duration: float | None = None) -> None:
        """``who`` shows ``emotion``."""
        self._issue("emote", who=who, emotion=emotion, intensity=intensity, duration=duration)

    def gesture(self, who: str | int, gesture: str) -> None:
        """``who`` plays a gesture (wave, nod, shake_head, point, bow, talk)."""
        self._issue("gesture", who=who, gesture=gesture)

    def cut(self, camera: str | int, shot: str | None = None, target: str | int | None = None) -> None:
        """Switch to ``camera``."""
        self._issue("cut", camera=camera, shot=shot, target=target)

    def play_sound(self, sound: str, volume: float = 1.0, loop: bool = False) -> None:
        """Play a sound from the asset roots."""
        self._issue("play_sound", sound=sound, volume=volume, loop=loop)

    def caption(self, text: str, duration: float = 3.0) -> None:
        """Show a caption."""
        self._issue("caption", text=text, duration=duration)

    def load_scene(self, scene: str) -> None:
        """Replace this scene with ``scene`` (relative to this scene's folder) after this frame."""
        self._issue("load_scene", scene=scene)

    def log(self, message: str) -> None:
        """Write an info line to the Persona log, tagged with this behaviour."""
        log.info("%s: %s", self._source, message)
