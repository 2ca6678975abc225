"""A validated scene: plain data ready to build a world from (no TOML, no positions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.scene.project import ProjectRoots


@dataclass(slots=True)
class EntityDoc:
    """One [[entity]]: checked component values (prefab merged), behaviours and links."""

    name: str
    components: dict[str, dict[str, Any]]
    behaviours: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    parent: str | None = None
    line: int = 0


@dataclass(slots=True)
class CueDoc:
    """One [[cue]]: when (``at`` seconds or ``on`` a trigger) and what (``do`` with args)."""

    index: int
    do: str
    args: dict[str, Any]
    at: float | None = None
    on: str | None = None
    trigger: dict[str, Any] = field(default_factory=dict)
    line: int = 0


@dataclass(slots=True)
class SceneDoc:
    """A whole scene file after validation."""

    path: Path
    roots: ProjectRoots
    id: str
    title: str
    meta: dict[str, Any]
    entities: list[EntityDoc]
    cues: list[CueDoc]
    dependencies: set[Path] = field(default_factory=set)

    @property
    def duration(self) -> float | None:
        """Seconds until ``scene_end`` fires, if the scene declares it."""
        return self.meta.get("duration")

    @property
    def language(self) -> str:
        """The scene's main language (``zh`` or ``en``)."""
        return self.meta.get("language", "en")

    @property
    def seed(self) -> int:
        """Seed for anything random in the scene."""
        return self.meta.get("seed", 0)
