"""Load and validate scene files: every problem of a file at once, each as file:line:col."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli

from engine.scene.diagnostics import Diagnostic, SceneError, did_you_mean
from engine.scene.fields import AssetPath, EntityRef, FieldProblem, StrList
from engine.scene.locate import Path as KeyPath
from engine.scene.locate import SourceMap, source_map
from engine.scene.model import CueDoc, EntityDoc, SceneDoc
from engine.scene.project import ProjectRoots, check_behaviour_source
from engine.scene.schema import (
    ACTIONS,
    BEHAVIOUR_SPEC,
    COMPONENTS,
    CUE_KEYS,
    ENTITY_KEYS,
    PREFAB_KEYS,
    SCENE,
    TRIGGERS,
    TableSchema,
)

TOP_LEVEL = {"scene": "table", "entity": "array of tables", "cue": "array of tables"}


@dataclass
class _File:
    """One TOML file being checked: its display name, positions and the shared diagnostics."""

    path: Path
    display: str
    smap: SourceMap
    diags: list[Diagnostic]

    def error(self, path: KeyPath, message: str, hint: str = "", at: str = "key") -> None:
        line, col = self.smap.value(path) if at == "value" else self.smap.key(path)
        self.diags.append(Diagnostic(self.display, line, col, message, hint))


@dataclass
class _Ref:
    """An entity reference to check once all entity names are known."""

    file: _File
    path: KeyPath
    name: str
    needs: str | None


def _label(path: KeyPath) -> str:
    parts = []
    for part in path:
        if isinstance(part, int):
            parts[-1] += f"[{part + 1}]"
        else:
            parts.append(part)
    return ".".join(parts)


def read_toml(path: Path, display: str, diags: list[Diagnostic]) -> tuple[dict | None, SourceMap | None]:
    """Parse a TOML file; on failure append a diagnostic and return (None, None)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        diags.append(Diagnostic(display, 1, 1, f"cannot read file: {error.strerror or error}"))
        return None, None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        diags.append(Diagnostic(display, line, 1, "file is not valid UTF-8", "save it as UTF-8"))
        return None, None
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as error:
        diags.append(Diagnostic(display, error.lineno or 1, error.colno or 1,
                                f"TOML syntax error: {error.msg}",
                                "check quotes, brackets and '=' on this line"))
        return None, None
    return data, source_map(text)


class SceneLoader:
    """Checks one scene file (and the prefabs and scripts it names) and builds a SceneDoc."""

    def __init__(self, scene_path: Path, roots: ProjectRoots | None = None) -> None:
        self.scene_path = Path(scene_path)
        self.roots = roots or ProjectRoots.for_scene(self.scene_path)
        self.diags: list[Diagnostic] = []
        self.refs: list[_Ref] = []
        self.dependencies: set[Path] = {self.scene_path.resolve()}
        self._prefabs: dict[str, tuple[_File, dict[str, dict[str, Any]], dict[str, Any]] | None] = {}

    # -- generic table checking ----------------------------------------------------------
    def check_table(self, file: _File, table: Any, schema: TableSchema, path: KeyPath,
                    extra_ok: frozenset[str] = frozenset(), what: str = "field") -> dict[str, Any]:
        """Check every key of ``table`` against ``schema``; return the converted values."""
        if not isinstance(table, dict):
            file.error(path, f"[{_label(path)}] should be a table, not a value",
                       f"write it as [{_label(path)}] with key = value lines", at="value")
            return {}
        values: dict[str, Any] = {}
        for key, raw in table.items():
            if key in extra_ok:
                continue
            spec = schema.fields.get(key)
            here = (*path, key)
            if spec is None:
                options = set(schema.fields) | extra_ok
                file.error(here, f"unknown {what} '{key}' in [{_label(path)}]", did_you_mean(key, options))
                continue
            try:
                values[key] = spec.convert(raw)
            except FieldProblem as problem:
                where = (*here, problem.index) if problem.index is not None else here
                file.error(where, f"{_label(here)}: {problem.message}",
                           problem.hint or spec.hint(key), at="value")
                continue
            self._post_check(file, here, spec, values, key)
        for key in schema.required:
            if key not in table:
                example = schema.fields[key].example
                file.error(path, f"missing required field '{key}' in [{_label(path)}]",
                           f"add {key} = {example}" if example else f"add {key}")
        for first, second in schema.exclusive:
            if first in table and second in table:
                file.error((*path, second), f"give either '{first}' or '{second}', not both",
                           f"remove '{second}'")
        return values

    def _post_check(self, file: _File, here: KeyPath, spec: Any, values: dict[str, Any], key: str) -> None:
        if isinstance(spec, AssetPath):
            values[key] = self._asset(file, here, values[key])
        elif isinstance(spec, StrList) and isinstance(spec.item, AssetPath):
            values[key] = tuple(self._asset(file, (*here, i), v) for i, v in enumerate(values[key]))
        elif isinstance(spec, EntityRef):
            self.refs.append(_Ref(file, here, values[key], spec.needs))

    def _asset(self, file: _File, here: KeyPath, relative: str) -> str:
        resolved, reason = self.roots.resolve_asset(relative)
        if resolved is None:
            file.error(here, reason, "put the file under assets/ and name it relative to that folder",
                       at="value")
            return relative
        self.dependencies.add(resolved)
        return str(resolved)

    # -- the scene ----------------------------------------------------------------------------
    def load(self) -> SceneDoc:
        """Validate the scene; raise SceneError with every diagnostic if anything is wrong."""
        display = self.roots.display(self.scene_path)
        data, smap = read_toml(self.scene_path, display, self.diags)
        if data is None or smap is None:
            raise SceneError(self.diags)
        file = _File(self.scene_path, display, smap, self.diags)

        for key, value in data.items():
            if key not in TOP_LEVEL:
                file.error((key,), f"unknown top-level key or table '{key}'",
                           did_you_mean(key, TOP_LEVEL) or "expected [scene], [[entity]] or [[cue]]")
            elif key != "scene" and not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
                file.error((key,), f"'{key}' must be an array of tables", f"write [[{key}]] headers")
        if "scene" not in data:
            file.error((), "missing the [scene] table", 'start the file with [scene] and id = "my-scene"')
        meta = self.check_table(file, data.get("scene", {}), SCENE, ("scene",))

        entities = self._entities(file, data.get("entity", []) if isinstance(data.get("entity"), list) else [])
        cues = self._cues(file, data.get("cue", []) if isinstance(data.get("cue"), list) else [])
        self._check_refs(entities)
        self._check_parents(file, entities)
        if any(d.severity == "error" for d in self.diags):
            raise SceneError(self.diags)
        return SceneDoc(
            path=self.scene_path.resolve(), roots=self.roots, id=meta["id"], title=meta["title"],
            meta=meta, entities=entities, cues=cues, dependencies=self.dependencies,
        )

    def _entities(self, file: _File, tables: list[Any]) -> list[EntityDoc]:
        docs: list[EntityDoc] = []
        seen: dict[str, int] = {}
        for i, table in enumerate(tables):
            if not isinstance(table, dict):
                continue
            path: KeyPath = ("entity", i)
            keys = self.check_table(file, table, TableSchema(ENTITY_KEYS, required=("name",)), path,
                                    extra_ok=frozenset(COMPONENTS), what="component or field")
            name = keys.get("name", f"entity{i + 1}")
            if "name" in keys:
                if name in seen:
                    file.error((*path, "name"), f"duplicate entity name {name!r} (also entity {seen[name] + 1})",
                               "give every entity its own name", at="value")
                seen.setdefault(name, i)
            components: dict[str, dict[str, Any]] = {}
            behaviours: tuple[str, ...] = ()
            tags: tuple[str, ...] = ()
            if "prefab" in keys:
                prefab = self._prefab(file, (*path, "prefab"), keys["prefab"])
                if prefab is not None:
                    _, prefab_components, prefab_keys = prefab
                    components = {k: dict(v) for k, v in prefab_components.items()}
                    behaviours = prefab_keys.get("behaviours", ())
                    tags = prefab_keys.get("tags", ())
            for component, schema in COMPONENTS.items():
                if component in table:
                    values = self.check_table(file, table[component], schema, (*path, component))
                    merged = components.setdefault(component, {})
                    for exclusive in schema.exclusive:  # an override replaces its alternative
                        for key in exclusive:
                            if key in values:
                                for other in exclusive:
                                    if other != key:
                                        merged.pop(other, None)
                    merged.update(values)
            behaviours = behaviours + tuple(b for b in keys.get("behaviours", ()) if b not in behaviours)
            self._behaviours(file, (*path, "behaviours"), table.get("behaviours"))
            tags = tags + tuple(t for t in keys.get("tags", ()) if t not in tags)
            line, _ = file.smap.key(path)
            docs.append(EntityDoc(name, components, behaviours, tags, keys.get("parent"), line))
        return docs

    def _prefab(self, file: _File, here: KeyPath, name: str):
        if name not in self._prefabs:
            self._prefabs[name] = None
            found = self.roots.resolve_prefab(name)
            if found is None:
                looked = ", ".join(self.roots.display(p) for p in self.roots.prefabs)
                known = sorted({p.stem for root in self.roots.prefabs if root.is_dir() for p in root.glob("*.toml")})
                close = did_you_mean(name, known) if known else ""
                hint = close if close.startswith("did you") else f"create prefabs/{name}.toml (looked in {looked})"
                file.error(here, f"prefab {name!r} not found", hint, at="value")
                return None
            self.dependencies.add(found.resolve())
            self._prefabs[name] = self.load_prefab(found)
        return self._prefabs[name]

    def load_prefab(self, path: Path):
        """Check a prefab file; (file, component values, other keys) or None if it does not parse."""
        display = self.roots.display(path)
        data, smap = read_toml(path, display, self.diags)
        if data is None or smap is None:
            return None
        prefab_file = _File(path, display, smap, self.diags)
        components: dict[str, dict[str, Any]] = {}
        for key, value in data.items():
            if key in COMPONENTS:
                components[key] = self.check_table(prefab_file, value, COMPONENTS[key], (key,))
            elif key not in PREFAB_KEYS:
                prefab_file.error((key,), f"unknown component or field '{key}' in prefab",
                                  did_you_mean(key, set(COMPONENTS) | set(PREFAB_KEYS)))
        keys = self.check_table(prefab_file, {k: v for k, v in data.items() if k in PREFAB_KEYS},
                                TableSchema(PREFAB_KEYS), ())
        self._behaviours(prefab_file, ("behaviours",), data.get("behaviours"))
        for ref in self.refs:
            if ref.file is prefab_file:
                ref.file.error(ref.path, "prefabs cannot refer to entities by name",
                               "set this field in the scene's [[entity]] instead", at="value")
        self.refs = [ref for ref in self.refs if ref.file is not prefab_file]
        return prefab_file, components, keys

    def _behaviours(self, file: _File, here: KeyPath, raw: Any) -> None:
        """Check the script of every well-formed spec (malformed ones are reported by the schema)."""
        if not isinstance(raw, list):
            return
        for j, spec in enumerate(raw):
            if isinstance(spec, str) and re.fullmatch(BEHAVIOUR_SPEC, spec):
                self._behaviour(file, (*here, j), spec)

    def _behaviour(self, file: _File, here: KeyPath, spec: str) -> None:
        module, class_name = spec.split(":")
        script = self.roots.resolve_script(module)
        if script is None:
            looked = ", ".join(self.roots.display(p) for p in self.roots.scripts)
            file.error(here, f"behaviour script for {module!r} not found",
                       f"create {module.replace('.', '/')}.py under scripts/ (looked in {looked})", at="value")
            return
        self.dependencies.add(script.resolve())
        problem = check_behaviour_source(script, class_name)
        if problem is None:
            return
        if problem.in_script:
            self.diags.append(Diagnostic(self.roots.display(problem.file), problem.line, problem.col,
                                         problem.message, "fix the script; it is not loaded until it parses"))
        else:
            file.error(here, problem.message, f"define class {class_name}(Behaviour) in it", at="value")

    def _cues(self, file: _File, tables: list[Any]) -> list[CueDoc]:
        cues: list[CueDoc] = []
        for i, table in enumerate(tables):
            if not isinstance(table, dict):
                continue
            path: KeyPath = ("cue", i)
            action = table.get("do")
            trigger = table.get("on")
            action_schema = ACTIONS.get(action) if isinstance(action, str) else None
            trigger_schema = TRIGGERS.get(trigger) if isinstance(trigger, str) else None
            own = set(CUE_KEYS)
            extra = set(action_schema.table.fields if action_schema else ()) | set(
                trigger_schema.fields if trigger_schema else ())
            head = self.check_table(file, {k: v for k, v in table.items() if k in own},
                                    TableSchema(CUE_KEYS, required=("do",)), path)
            for key in table:
                if (action_schema or "do" not in table) and key not in own and key not in extra:
                    hint = did_you_mean(key, own | extra)
                    what = f"'{action}' cues" if action_schema else "this cue"
                    file.error((*path, key), f"unknown field '{key}' for {what}", hint)
            if "at" in table and "on" in table:
                file.error((*path, "on"), "a cue has either 'at' (seconds) or 'on' (an event), not both",
                           "split it into two cues")
            elif "at" not in table and "on" not in table:
                file.error(path, "cue needs 'at' (seconds) or 'on' (an event)",
                           f"add at = 1.0, or on = one of {', '.join(TRIGGERS)}")
            args: dict[str, Any] = {}
            trig: dict[str, Any] = {}
            if action_schema is not None:
                body = {k: v for k, v in table.items() if k in action_schema.table.fields}
                args = {**action_schema.defaults, **self.check_table(
                    file, body, TableSchema(action_schema.table.fields, action_schema.table.required), path)}
                if action_schema.who_needs:
                    for ref in self.refs:
                        if ref.path == (*path, "who"):
                            ref.needs = action_schema.who_needs
                if action == "say" and "text" not in table and "audio" not in table:
                    file.error(path, "a say cue needs text, audio or both",
                               'add text = "Hello!" or audio = "voice/line.wav"')
                if action == "load_scene" and "scene" in args:
                    target, reason = self.roots.resolve_scene(self.scene_path.resolve().parent, args["scene"])
                    if target is None:
                        file.error((*path, "scene"), reason, "name a scene file next to this one", at="value")
                    else:
                        args["scene"] = str(target)
            if trigger_schema is not None:
                body = {k: v for k, v in table.items() if k in trigger_schema.fields}
                trig = self.check_table(file, body, trigger_schema, path)
            line, _ = file.smap.key(path)
            if action_schema is not None and ("at" in head or "on" in head):
                cues.append(CueDoc(i, action, args, head.get("at"), head.get("on"), trig, line))
        return cues

    # -- cross references ------------------------------------------------------------------------
    def _check_refs(self, entities: list[EntityDoc]) -> None:
        by_name = {e.name: e for e in entities}
        for ref in self.refs:
            entity = by_name.get(ref.name)
            if entity is None:
                ref.file.error(ref.path, f"no entity named {ref.name!r} in this scene",
                               did_you_mean(ref.name, by_name) if by_name else "add an [[entity]] with that name",
                               at="value")
            elif ref.needs and ref.needs not in entity.components:
                ref.file.error(ref.path, f"entity {ref.name!r} has no [entity.{ref.needs}]",
                               f"name an entity with a {ref.needs}, or add [entity.{ref.needs}] to it",
                               at="value")

    def _check_parents(self, file: _File, entities: list[EntityDoc]) -> None:
        parent_of = {e.name: e.parent for e in entities if e.parent}
        for i, entity in enumerate(entities):
            seen = {entity.name}
            node = parent_of.get(entity.name)
            while node is not None:
                if node in seen:
                    file.error(("entity", i, "parent"), f"entity {entity.name!r} is its own ancestor",
                               "parent links must not form a loop", at="value")
                    break
                seen.add(node)
                node = parent_of.get(node)


def load_scene(path: Path | str, roots: ProjectRoots | None = None) -> SceneDoc:
    """Load and validate a scene file; raises SceneError listing every problem."""
    return SceneLoader(Path(path), roots).load()


def check_prefab(path: Path | str) -> list[Diagnostic]:
    """All diagnostics for a prefab file on its own (empty when it is valid)."""
    loader = SceneLoader(Path(path))
    loader.load_prefab(Path(path))
    return sorted(loader.diags, key=lambda d: (d.file, d.line, d.col))


def check_scene(path: Path | str) -> list[Diagnostic]:
    """All diagnostics for a scene file (empty when it is valid)."""
    try:
        load_scene(path)
    except SceneError as error:
        return error.diagnostics
    return []
