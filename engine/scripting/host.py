"""Loads behaviour classes from the scripts roots and runs their hooks, isolating failures."""

from __future__ import annotations

import importlib.util
import itertools
import logging
import random
import sys
import traceback
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from engine.ecs import World
from engine.scene.model import SceneDoc
from engine.scripting.behaviour import Behaviour
from engine.scripting.facade import SceneFacade

log = logging.getLogger("persona.scripts")
_module_ids = itertools.count(1)


@dataclass(slots=True)
class ScriptError:
    """A behaviour that failed and was disabled."""

    spec: str
    entity: str
    file: str
    line: int
    hook: str
    message: str

    def format(self) -> str:
        """``file:line: spec on entity: hook raised ...; behaviour disabled``."""
        return (f"{self.file}:{self.line}: {self.spec} on '{self.entity}': {self.hook} raised "
                f"{self.message}; behaviour disabled, scene keeps running")


@dataclass(slots=True)
class _Instance:
    spec: str
    entity: int
    entity_name: str
    file: Path
    display: str
    behaviour: Behaviour
    started: bool = False
    enabled: bool = True


@dataclass
class ScriptHost:
    """Resource: the behaviour instances of one world and the errors they raised."""

    instances: list[_Instance] = field(default_factory=list)
    errors: list[ScriptError] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)

    def close(self) -> None:
        """Forget the modules this host loaded."""
        for name in self.modules:
            sys.modules.pop(name, None)
        self.modules.clear()

    def _fail(self, spec: str, entity: str, file: Path, hook: str, error: BaseException, display: str) -> None:
        line = 1
        for frame in traceback.extract_tb(error.__traceback__):
            if Path(frame.filename) == file:
                line = frame.lineno or 1
        if isinstance(error, SyntaxError) and error.lineno:
            line = error.lineno
        record = ScriptError(spec, entity, display, line, hook, f"{type(error).__name__}: {error}")
        self.errors.append(record)
        log.error(record.format())

    def load(self, world: World, doc: SceneDoc, entities: dict[str, int]) -> None:
        """Import each behaviour module fresh (so edits reload) and attach instances."""
        loaded: dict[Path, ModuleType | None] = {}
        for entity_doc in doc.entities:
            for spec in entity_doc.behaviours:
                module_name, class_name = spec.split(":")
                path = doc.roots.resolve_script(module_name)
                display = doc.roots.display(path) if path else module_name
                if path is None:  # removed since validation
                    log.error("%s: script for %s not found; behaviour skipped", doc.path, spec)
                    continue
                if path not in loaded:
                    loaded[path] = self._import(path, spec, entity_doc.name, display)
                module = loaded[path]
                if module is None:
                    continue
                cls = getattr(module, class_name, None)
                if not (isinstance(cls, type) and issubclass(cls, Behaviour)):
                    self._fail(spec, entity_doc.name, path, "load",
                               TypeError(f"{class_name} must subclass engine.scripting.Behaviour"), display)
                    continue
                entity = entities[entity_doc.name]
                try:
                    behaviour = cls()
                except Exception as error:  # noqa: BLE001 - any script failure is isolated
                    self._fail(spec, entity_doc.name, path, "__init__", error, display)
                    continue
                behaviour.entity = entity
                behaviour.scene = SceneFacade(world, f"{spec}@{entity_doc.name}")
                seed = zlib.crc32(f"{doc.seed}:{entity_doc.name}:{spec}".encode())
                behaviour.random = random.Random(seed)
                self.instances.append(_Instance(spec, entity, entity_doc.name, path, display, behaviour))

    def _import(self, path: Path, spec: str, entity: str, display: str) -> ModuleType | None:
        name = f"persona_scripts.m{next(_module_ids)}_{path.stem}"
        module_spec = importlib.util.spec_from_file_location(name, path)
        if module_spec is None or module_spec.loader is None:
            return None
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module  # dataclasses and pickling look modules up here
        self.modules.append(name)
        try:
            module_spec.loader.exec_module(module)
        except Exception as error:  # noqa: BLE001
            self._fail(spec, entity, path, "import", error, display)
            return None
        return module

    def call(self, hook: str, *args: Any) -> None:
        """Call ``hook`` on every enabled instance; a raising instance is disabled and logged."""
        for instance in self.instances:
            if not instance.enabled:
                continue
            current = hook
            try:
                if not instance.started:
                    instance.started = True
                    current = "on_start"
                    instance.behaviour.on_start()
                    current = hook
                if hook == "on_update":
                    instance.behaviour.on_update(*args)
                elif hook == "on_event":
                    instance.behaviour.on_event(*args)
            except Exception as error:  # noqa: BLE001
                instance.enabled = False
                self._fail(instance.spec, instance.entity_name, instance.file, current, error,
                           instance.display)

    @property
    def active(self) -> int:
        """How many behaviours are still running."""
        return sum(1 for i in self.instances if i.enabled)
