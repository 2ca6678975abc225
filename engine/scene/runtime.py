"""Running scenes: cue timeline and triggers, behaviours, scene loads and hot reload."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.app import App, Clock, Phase
from engine.ecs import EventReader, World
from engine.events import ACTION_EVENTS, TRIGGER_EVENTS, LoadScene, SceneEnded
from engine.scene.actions import ActionLog, EntityIndex, FiredAction, SceneInfo, make_action
from engine.scene.build import build_world
from engine.scene.diagnostics import Diagnostic, SceneError
from engine.scene.loader import load_scene
from engine.scene.model import CueDoc, SceneDoc
from engine.scripting.host import ScriptHost
from engine.transforms import TransformPlugin

log = logging.getLogger("persona.scene")


@dataclass(slots=True)
class ViewerSessionRef:
    """Resource: the viewer session watching this scene (None until sessions exist)."""

    session: Any = None


@dataclass
class CueState:
    """Resource: which cues fired, when timers are next due, and cursors over trigger events."""

    timeline: list[CueDoc]
    on_event: dict[type, list[CueDoc]]
    timers: list[tuple[CueDoc, float]]
    cue_readers: dict[type, EventReader]
    script_readers: dict[type, EventReader]
    next_at: int = 0
    ended: bool = False

    @classmethod
    def for_world(cls, world: World, doc: SceneDoc) -> CueState:
        """Sort ``at`` cues by time; group ``on`` cues by their event type."""
        timeline = sorted((c for c in doc.cues if c.at is not None), key=lambda c: (c.at, c.index))
        on_event: dict[type, list[CueDoc]] = {}
        timers = []
        for cue in doc.cues:
            if cue.on == "timer":
                timers.append((cue, cue.trigger["every"]))
            elif cue.on is not None:
                on_event.setdefault(TRIGGER_EVENTS[cue.on], []).append(cue)
        triggers = list(TRIGGER_EVENTS.values())
        return cls(timeline, on_event, timers,
                   {k: world.events.reader(k) for k in triggers},
                   {k: world.events.reader(k) for k in (*triggers, *ACTION_EVENTS.values())})


def _matches(cue: CueDoc, event: Any) -> bool:
    if cue.on == "key":
        return event.key == cue.trigger["key"]
    if cue.on == "menu_choice":
        return event.choice == cue.trigger["choice"]
    return True


def _fire(world: World, cue: CueDoc, now: float) -> None:
    index = world.resources.get(EntityIndex)
    source = f"cue {cue.index + 1} (line {cue.line})"
    world.events.send(make_action(cue.do, cue.args, index, source))
    world.resources.get(ActionLog).add(FiredAction(now, source, cue.do, dict(cue.args)))


def detect_scene_end(world: World, dt: float) -> None:
    """Send SceneEnded once when the scene's declared duration has passed."""
    state = world.resources.get(CueState)
    doc = world.resources.get(SceneInfo).doc
    if not state.ended and doc.duration is not None and world.resources.get(Clock).time >= doc.duration:
        state.ended = True
        world.events.send(SceneEnded(doc.id))


def fire_cues(world: World, dt: float) -> None:
    """Fire ``at`` cues whose time has come, due timers, and ``on`` cues matching new events."""
    state = world.resources.get(CueState)
    now = world.resources.get(Clock).time
    while state.next_at < len(state.timeline) and state.timeline[state.next_at].at <= now + 1e-9:
        _fire(world, state.timeline[state.next_at], now)
        state.next_at += 1
    for i, (cue, due) in enumerate(state.timers):
        if now + 1e-9 >= due:
            _fire(world, cue, now)
            state.timers[i] = (cue, due + cue.trigger["every"])
    for kind, reader in state.cue_readers.items():
        cues = state.on_event.get(kind)
        for event in reader.read():
            for cue in cues or ():
                if _matches(cue, event):
                    _fire(world, cue, now)


def run_behaviours(world: World, dt: float) -> None:
    """Deliver trigger and action events to behaviours, then call their on_update."""
    host = world.resources.get(ScriptHost)
    state = world.resources.get(CueState)
    for reader in state.script_readers.values():
        for event in reader.read():
            host.call("on_event", event)
    host.call("on_update", dt)


@dataclass
class ReloadResult:
    """What a hot-reload check found."""

    reloaded: bool = False
    diagnostics: list[Diagnostic] = field(default_factory=list)


class SceneRunner:
    """Loads a scene into an app, follows ``load_scene`` actions, and hot-reloads on edits."""

    def __init__(self, app: App, path: Path | str, seed: int | None = None) -> None:
        self.app = app
        self.path = Path(path)
        self.seed = seed  # overrides every loaded scene's [scene] seed (persona render --seed)
        self.doc: SceneDoc | None = None
        self._stamps: dict[Path, float] = {}
        self._load_readers: dict[str, EventReader] = {}
        self.load_errors: list[str] = []

    def _stamp(self, doc: SceneDoc) -> dict[Path, float]:
        stamps = {}
        for dep in doc.dependencies:
            try:
                stamps[dep] = dep.stat().st_mtime_ns
            except OSError:
                stamps[dep] = -1
        return stamps

    def _adopt(self, doc: SceneDoc, now: bool) -> World:
        if self.seed is not None:
            doc.meta["seed"] = self.seed
        world = build_world(doc)
        world.resources.insert(CueState.for_world(world, doc))
        world.resources.insert(ViewerSessionRef())
        self.doc = doc
        self.path = doc.path
        self._stamps = self._stamp(doc)
        if now:
            self.app.set_world(world)
        else:
            self.app.request_world(world)
        return world

    def start(self) -> World:
        """Load the scene and make it the app's world; raises SceneError if it is invalid."""
        return self._adopt(load_scene(self.path), now=True)

    def handle_scene_loads(self, world: World, dt: float) -> None:
        """SESSION system: switch to the scene a ``load_scene`` action names (bad ones are logged)."""
        reader = self._load_readers.get(world.name)
        if reader is None:
            reader = self._load_readers[world.name] = world.events.reader(LoadScene)
        for event in reader.read():
            try:
                self._adopt(load_scene(event.scene), now=False)
                log.info("loaded scene %s (%s)", event.scene, event.source)
            except SceneError as error:
                message = f"load_scene {event.scene} failed, keeping the current scene:\n{error}"
                self.load_errors.append(message)
                log.error(message)

    def changed(self) -> bool:
        """Whether the scene, a prefab or a script it uses changed on disk since it was loaded."""
        if self.doc is None:
            return False
        return self._stamp(self.doc) != self._stamps

    def poll_reload(self) -> ReloadResult:
        """Reload if anything changed; a change that fails validation keeps the running world."""
        if not self.changed():
            return ReloadResult()
        assert self.doc is not None
        try:
            doc = load_scene(self.doc.path)
        except SceneError as error:
            self._stamps = self._stamp(self.doc)  # report once per edit, not every poll
            return ReloadResult(False, error.diagnostics)
        self._adopt(doc, now=True)
        return ReloadResult(True, [])


class ScenePlugin:
    """Registers the cue, behaviour and scene-load systems."""

    def __init__(self, runner: SceneRunner) -> None:
        self.runner = runner

    def build(self, app: App) -> None:
        """Add systems to SCRIPT and SESSION."""
        app.add_system(detect_scene_end, Phase.SCRIPT, reads=(Clock, SceneInfo), writes=(SceneEnded,))
        app.add_system(fire_cues, Phase.SCRIPT, reads=(Clock, CueState), writes=(ActionLog,))
        app.add_system(run_behaviours, Phase.SCRIPT, reads=(CueState,), writes=(ScriptHost,))
        app.add_system(self.runner.handle_scene_loads, Phase.SESSION, reads=(LoadScene,),
                       name="handle_scene_loads")


def scene_app(path: Path | str, *, tick_hz: float = 30.0, frame_rate: float = 30.0,
              seed: int | None = None, start: bool = True) -> tuple[App, SceneRunner]:
    """An app with the core plugins and the scene at ``path`` loaded (SceneError if invalid).

    Plugins: scene (cues, behaviours, loads), animation (avatars, idle, gestures), faces
    (expressions, blinks, gaze, lip sync), transforms, deformation (skinning and morphs). With ``start=False`` the scene is not loaded yet: add
    plugins, then call ``runner.start()``. ``seed`` overrides the scene's own seed.
    """
    from engine.anim.face_plugin import FacePlugin
    from engine.anim.plugin import AnimationPlugin
    from engine.deform.plugin import DeformPlugin
    from engine.speech.plugin import SpeechPlugin

    app = App(tick_hz=tick_hz, frame_rate=frame_rate)
    runner = SceneRunner(app, path, seed)
    app.add_plugin(ScenePlugin(runner))
    app.add_plugin(AnimationPlugin())
    app.add_plugin(FacePlugin())  # after AnimationPlugin: it reads AvatarModel and the animated pose
    app.add_plugin(SpeechPlugin())  # after FacePlugin: it drives the faces' lip sync
    app.add_plugin(TransformPlugin())
    app.add_plugin(DeformPlugin())
    if start:  # callers adding more plugins (render, audio) start the runner after adding them
        runner.start()
    return app, runner
