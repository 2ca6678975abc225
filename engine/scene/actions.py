"""Turn cue or behaviour arguments into action events, checked against the same schema as files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.events import ACTION_EVENTS
from engine.scene.diagnostics import did_you_mean
from engine.scene.fields import AssetPath, EntityRef, FieldProblem
from engine.scene.model import SceneDoc
from engine.scene.schema import ACTIONS


@dataclass(slots=True)
class SceneInfo:
    """Resource: the validated scene a world was built from."""

    doc: SceneDoc


@dataclass(slots=True)
class EntityIndex:
    """Resource: entity ids by scene name, and back."""

    by_name: dict[str, int] = field(default_factory=dict)

    def name_of(self, entity: int) -> str | None:
        """The scene name of ``entity``, if it has one."""
        for name, candidate in self.by_name.items():
            if candidate == entity:
                return name
        return None


@dataclass(slots=True)
class FiredAction:
    """One action as it was issued: when, by whom, what."""

    time: float
    source: str
    action: str
    args: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """A plain dict for ``--json`` output."""
        return {"t": round(self.time, 4), "source": self.source, "do": self.action, **self.args}


@dataclass(slots=True)
class ActionLog:
    """Resource: every action issued in this world, in order (bounded)."""

    entries: list[FiredAction] = field(default_factory=list)
    limit: int = 10000

    def add(self, entry: FiredAction) -> None:
        """Record ``entry``, dropping the oldest beyond ``limit``."""
        self.entries.append(entry)
        if len(self.entries) > self.limit:
            del self.entries[: len(self.entries) - self.limit]


def make_action(kind: str, args: dict[str, Any], index: EntityIndex, source: str) -> Any:
    """The action event for checked ``args``; entity names become entity ids."""
    schema = ACTIONS[kind].table
    values = dict(args)
    for key, spec in schema.fields.items():
        if isinstance(spec, EntityRef) and values.get(key) is not None:
            values[key] = index.by_name[values[key]]
    return ACTION_EVENTS[kind](**values, source=source)


def check_action_args(kind: str, args: dict[str, Any], doc: SceneDoc, index: EntityIndex) -> dict[str, Any]:
    """Check runtime (behaviour) arguments like the loader checks cue fields; ValueError if wrong."""
    action = ACTIONS.get(kind)
    if action is None:
        raise ValueError(f"unknown action {kind!r}; {did_you_mean(kind, ACTIONS)}")
    schema = action.table
    values: dict[str, Any] = dict(action.defaults)
    for key, raw in args.items():
        if raw is None:
            continue
        spec = schema.fields.get(key)
        if spec is None:
            raise ValueError(f"{kind}: unknown argument {key!r}; {did_you_mean(key, schema.fields)}")
        if isinstance(spec, EntityRef) and isinstance(raw, int) and not isinstance(raw, bool):
            name = index.name_of(raw)
            if name is None:
                raise ValueError(f"{kind}: {key}={raw} is not a named entity of this scene")
            raw = name
        try:
            value = spec.convert(raw)
        except FieldProblem as problem:
            raise ValueError(f"{kind}: {key}: {problem.message}") from None
        if isinstance(spec, EntityRef) and value not in index.by_name:
            raise ValueError(f"{kind}: no entity named {value!r}; {did_you_mean(value, index.by_name)}")
        if isinstance(spec, AssetPath):
            resolved, reason = doc.roots.resolve_asset(value)
            if resolved is None:
                raise ValueError(f"{kind}: {reason}")
            value = str(resolved)
        if kind == "load_scene" and key == "scene":
            resolved, reason = doc.roots.resolve_scene(Path(doc.path).parent, value)
            if resolved is None:
                raise ValueError(f"{kind}: {reason}")
            value = str(resolved)
        values[key] = value
    missing = [key for key in schema.required if key not in values]
    if missing:
        raise ValueError(f"{kind}: missing {', '.join(missing)}")
    return values
