"""`persona play`: step a scene headless or in real time, with hot reload and a timing table."""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from engine.app import App, Clock
from engine.events import TRIGGER_EVENTS, KeyPressed, MenuChosen
from engine.scene.actions import ActionLog, SceneInfo
from engine.scene.runtime import SceneRunner, scene_app
from engine.scripting.host import ScriptHost

RELOAD_POLL_S = 0.5
_EVENT_SPEC = re.compile(r"(?P<name>[a-z_]+)(=(?P<value>[^@]+))?@(?P<at>\d+(\.\d*)?)")


def parse_event(spec: str) -> tuple[float, Any]:
    """``viewer_arrived@2``, ``menu_choice=flights@4.5`` or ``key=e@6`` → (seconds, trigger event)."""
    match = _EVENT_SPEC.fullmatch(spec.strip())
    if match is None:
        raise ValueError(f"bad --event {spec!r}: write NAME[=VALUE]@SECONDS, e.g. menu_choice=flights@4")
    name, value, at = match["name"], match["value"], float(match["at"])
    if name not in TRIGGER_EVENTS or name == "scene_end":
        names = ", ".join(n for n in TRIGGER_EVENTS if n != "scene_end")
        raise ValueError(f"bad --event {spec!r}: unknown event {name!r}; one of {names}")
    if name == "key":
        if not value:
            raise ValueError(f"bad --event {spec!r}: key needs a value, e.g. key=space@3")
        return at, KeyPressed(value)
    if name == "menu_choice":
        if not value:
            raise ValueError(f"bad --event {spec!r}: menu_choice needs a value, e.g. menu_choice=flights@4")
        return at, MenuChosen(value)
    return at, TRIGGER_EVENTS[name](value or "")


@dataclass
class PlayReport:
    """What a play run did: frames, system timings, actions, script errors, reloads."""

    scene: str
    frames: int
    frame_ms: float
    systems: dict[str, float]
    phases: dict[str, str]
    actions: list[dict[str, Any]] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    reload_errors: list[str] = field(default_factory=list)
    reloads: int = 0
    asset_problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document."""
        return {
            "scene": self.scene, "frames": self.frames, "frame_ms": round(self.frame_ms, 4),
            "systems": self.systems, "actions": self.actions, "script_errors": self.script_errors,
            "reloads": self.reloads, "reload_errors": self.reload_errors,
            "asset_problems": self.asset_problems,
        }


def _collect(app: App, runner: SceneRunner, frames: int, reloads: int,
             reload_errors: list[str], earlier_actions: list[dict[str, Any]],
             earlier_errors: list[str]) -> PlayReport:
    from engine.assets.library import AvatarLibrary

    world = app.world
    library = world.resources.try_get(AvatarLibrary)
    actions = earlier_actions + [a.to_json() for a in world.resources.get(ActionLog).entries]
    errors = earlier_errors + [e.format() for e in world.resources.get(ScriptHost).errors]
    return PlayReport(
        scene=world.resources.get(SceneInfo).doc.id, frames=frames, frame_ms=app.frame_median_ms(),
        systems=app.timings(), phases={s.name: s.phase.name for s in app.systems},
        actions=actions, script_errors=errors + runner.load_errors,
        reload_errors=reload_errors, reloads=reloads,
        asset_problems=list(library.problems) if library is not None else [],
    )


def open_window(path: Path, tick_hz: float, fps: float, size: tuple[int, int]) -> tuple[App, SceneRunner, Any]:
    """The scene app drawing into a window with live audio; NoDisplayError when there is no display."""
    from engine.audio import AudioPlugin, LiveOutput, Mixer
    from engine.render.plugin import RenderPlugin
    from engine.render.shots_system import CameraRigPlugin
    from engine.render.window import WindowRenderer

    window = WindowRenderer(*size, title=f"Persona: {path.name}", screenshot_dir=".")
    app, runner = scene_app(path, tick_hz=tick_hz, frame_rate=fps, start=False)
    app.add_plugin(CameraRigPlugin(aspect=size[0] / size[1]))
    app.add_plugin(AudioPlugin(Mixer(), output=LiveOutput()))
    app.add_plugin(RenderPlugin(window, readback=False))
    try:
        runner.start()
    except BaseException:
        window.close()
        raise
    return app, runner, window


def play(path: Path, *, frames: int | None, realtime: bool, fps: float, tick_hz: float,
         watch: bool, console: Console | None, events: list[tuple[float, Any]] | None = None,
         window_size: tuple[int, int] | None = None) -> PlayReport:
    """Run the scene at ``path``; ``console`` None means quiet (``--json``). SceneError if invalid.

    With ``window_size`` the scene is drawn in a window (space pauses, F12 saves a screenshot,
    arrows or drag orbit, Escape closes); NoDisplayError when there is no display.
    """
    window = None
    if window_size is not None:
        app, runner, window = open_window(path, tick_hz, fps, window_size)
    else:
        app, runner = scene_app(path, tick_hz=tick_hz, frame_rate=fps)
    total = frames if frames is not None else sys.maxsize
    reloads = 0
    reload_errors: list[str] = []
    old_actions: list[dict[str, Any]] = []
    old_errors: list[str] = []
    last_poll = time.monotonic()
    printed = 0
    progress = None
    task = None
    if console is not None and not realtime and frames is not None:
        progress = Progress(TextColumn("stepping {task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeRemainingColumn(), console=console, transient=True)
        task = progress.add_task(runner.doc.id if runner.doc else str(path), total=frames)
        progress.start()
    frame_dt = 1.0 / fps
    next_due = time.perf_counter()
    done = 0
    pending = sorted(events or [], key=lambda item: item[0])
    try:
        while done < total:
            if window is not None:
                if window.closed:
                    break
                if window.paused:  # keep the window responsive, the scene frozen
                    window.draw()
                    time.sleep(frame_dt)
                    continue
            now = app.world.resources.get(Clock).time
            while pending and pending[0][0] <= now + 1e-9:
                app.world.events.send(pending.pop(0)[1])
            app.step(frame_dt)
            done += 1
            if progress is not None and task is not None:
                progress.update(task, completed=done)
            if realtime and console is not None:
                entries = app.world.resources.get(ActionLog).entries
                for entry in entries[printed:]:
                    console.print(_action_line(entry.to_json()))
                printed = len(entries)
            if watch and time.monotonic() - last_poll >= RELOAD_POLL_S:
                last_poll = time.monotonic()
                world_before = app.world
                if runner.changed():
                    before_actions = [a.to_json() for a in world_before.resources.get(ActionLog).entries]
                    before_errors = [e.format() for e in world_before.resources.get(ScriptHost).errors]
                    result = runner.poll_reload()
                    if result.reloaded:
                        reloads += 1
                        old_actions += before_actions
                        old_errors += before_errors
                        printed = 0
                        if console is not None:
                            console.print(f"[green]reloaded[/] {path}")
                    elif result.diagnostics:
                        lines = [d.format() for d in result.diagnostics]
                        reload_errors += lines
                        if console is not None:
                            console.print("[red]edit not applied; the running scene keeps going:[/]")
                            for line in lines:
                                console.print(line, markup=False, highlight=False)
            if realtime:
                next_due += frame_dt
                delay = next_due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                else:
                    next_due = time.perf_counter()
    except KeyboardInterrupt:
        if console is not None:
            console.print("stopped")
    finally:
        if progress is not None:
            progress.stop()
    report = _collect(app, runner, done, reloads, reload_errors, old_actions, old_errors)
    if window is not None:
        window.close()
    return report


def _action_line(action: dict[str, Any]) -> str:
    rest = {k: v for k, v in action.items() if k not in ("t", "do", "source")}
    details = " ".join(f"{k}={v!r}" for k, v in rest.items())
    return f"{action['t']:8.2f}s  {action['do']:<10} {escape(details)}   [dim]{escape(action['source'])}[/]"


def print_report(report: PlayReport, console: Console, show_actions: bool = True) -> None:
    """The per-system timing table, then the actions and any script errors."""
    table = Table(title=f"{report.scene}: {report.frames} frames, median frame {report.frame_ms:.3f} ms")
    table.add_column("phase")
    table.add_column("system")
    table.add_column("median ms", justify="right")
    for name, ms in report.systems.items():
        table.add_row(report.phases.get(name, ""), name, f"{ms:.4f}")
    console.print(table)
    if show_actions and report.actions:
        console.print("[bold]actions[/]")
        for action in report.actions:
            console.print(_action_line(action))
    for error in report.script_errors + report.asset_problems:
        console.print(f"[red]{escape(error)}[/]", highlight=False)


def dump_json(report: PlayReport) -> str:
    """The ``--json`` text."""
    return json.dumps(report.to_json(), ensure_ascii=False)
