"""App, plugins and phases: a fixed-step loop that runs systems in declared order, headless or live."""

from __future__ import annotations

import statistics
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Protocol

from engine.ecs import World


class Phase(IntEnum):
    """The phases of a frame, in the order they run."""

    INPUT = 0
    SCRIPT = 1
    ANIMATE = 2
    DEFORM = 3
    PRESENT = 4
    SESSION = 5


# Simulation phases run once per fixed tick (possibly several times in a frame);
# the rest run once per presented frame: deformation only matters for what is shown.
SIMULATION_PHASES = (Phase.INPUT, Phase.SCRIPT, Phase.ANIMATE)
FRAME_PHASES = (Phase.DEFORM, Phase.PRESENT, Phase.SESSION)
MAX_TICKS_PER_FRAME = 8

SystemFn = Callable[[World, float], None]


@dataclass(slots=True)
class Clock:
    """Simulation time of the current world; a resource the app keeps up to date."""

    tick_hz: float = 30.0
    tick: int = 0
    time: float = 0.0
    frame: int = 0
    frame_dt: float = 0.0

    @property
    def tick_dt(self) -> float:
        """Seconds per fixed tick."""
        return 1.0 / self.tick_hz


@dataclass(slots=True)
class SystemSpec:
    """A registered system: what it is, when it runs, what it touches."""

    name: str
    run: SystemFn
    phase: Phase
    reads: tuple[type, ...] = ()
    writes: tuple[type, ...] = ()
    samples: deque = field(default_factory=lambda: deque(maxlen=4096))

    def median_ms(self) -> float:
        """Median wall time of one call, in milliseconds (0 before the first call)."""
        return statistics.median(self.samples) * 1000.0 if self.samples else 0.0


class Plugin(Protocol):
    """A subsystem that registers its systems and resources with an app."""

    def build(self, app: App) -> None:
        """Register systems, world setup hooks and resources."""


WorldSetup = Callable[[World], None]


class App:
    """Owns the schedule and the current world; steps them headless or in real time."""

    def __init__(self, *, tick_hz: float = 30.0, frame_rate: float = 30.0) -> None:
        if tick_hz not in (30.0, 60.0):
            raise ValueError(f"tick_hz must be 30 or 60, not {tick_hz}")
        if frame_rate <= 0:
            raise ValueError("frame_rate must be positive")
        self.tick_hz = float(tick_hz)
        self.frame_rate = float(frame_rate)
        self._systems: list[SystemSpec] = []
        self._plugins: list[object] = []
        self._world_setups: list[WorldSetup] = []
        self._world: World | None = None
        self._pending_world: World | None = None
        self._accumulator = 0.0
        self._frame_samples: deque = deque(maxlen=4096)

    # -- building ------------------------------------------------------------------
    def add_plugin(self, plugin: Plugin) -> App:
        """Build ``plugin`` once; a second plugin of the same type is an error."""
        if any(type(p) is type(plugin) for p in self._plugins):
            raise ValueError(f"plugin {type(plugin).__name__} added twice")
        self._plugins.append(plugin)
        plugin.build(self)
        return self

    def add_system(
        self,
        run: SystemFn,
        phase: Phase,
        *,
        reads: Iterable[type] = (),
        writes: Iterable[type] = (),
        name: str | None = None,
    ) -> App:
        """Append a system to ``phase``; systems run in declaration order within a phase."""
        label = name or getattr(run, "__name__", type(run).__name__)
        if any(s.name == label for s in self._systems):
            raise ValueError(f"a system named {label!r} is already registered")
        for kind in (*reads, *writes):
            if not isinstance(kind, type):
                raise TypeError(f"system {label!r}: reads/writes must be types, got {kind!r}")
        spec = SystemSpec(label, run, Phase(phase), tuple(reads), tuple(writes))
        # stable insert: after every system of an earlier-or-equal phase
        index = sum(1 for s in self._systems if s.phase <= spec.phase)
        self._systems.insert(index, spec)
        return self

    def on_world(self, setup: WorldSetup) -> App:
        """Run ``setup`` on every world this app adopts (now, if one is set already)."""
        self._world_setups.append(setup)
        if self._world is not None:
            setup(self._world)
        return self

    # -- worlds ---------------------------------------------------------------------
    @property
    def world(self) -> World:
        """The world being simulated (created empty on first use)."""
        if self._world is None:
            self.set_world(World("main"))
        assert self._world is not None
        return self._world

    def set_world(self, world: World, *, close_old: bool = True) -> None:
        """Adopt ``world`` now: give it a fresh clock and run the world setup hooks."""
        old = self._world
        world.resources.insert(Clock(tick_hz=self.tick_hz))
        self._world = world
        self._accumulator = 0.0
        for setup in self._world_setups:
            setup(world)
        if old is not None and old is not world and close_old:
            old.close()

    def request_world(self, world: World) -> None:
        """Switch to ``world`` at the end of the current frame (used by scene loads)."""
        self._pending_world = world

    # -- stepping -------------------------------------------------------------------
    @property
    def systems(self) -> list[SystemSpec]:
        """The schedule, in run order."""
        return list(self._systems)

    def _run_phases(self, world: World, phases: tuple[Phase, ...], dt: float) -> None:
        for spec in self._systems:
            if spec.phase in phases:
                start = time.perf_counter()
                spec.run(world, dt)
                spec.samples.append(time.perf_counter() - start)

    def step(self, dt: float | None = None) -> None:
        """Advance one frame of ``dt`` seconds (default 1/frame_rate): ticks, present, flush."""
        start = time.perf_counter()
        world = self.world
        clock = world.resources.get(Clock)
        frame_dt = 1.0 / self.frame_rate if dt is None else dt
        self._accumulator += frame_dt
        tick_dt = clock.tick_dt
        ticks = 0
        # A tiny epsilon keeps 30 fps / 30 Hz from losing a tick to float rounding.
        while self._accumulator + 1e-9 >= tick_dt and ticks < MAX_TICKS_PER_FRAME:
            self._run_phases(world, SIMULATION_PHASES, tick_dt)
            self._accumulator -= tick_dt
            clock.tick += 1
            clock.time = clock.tick * tick_dt
            ticks += 1
        if ticks == MAX_TICKS_PER_FRAME:
            self._accumulator = 0.0  # fell behind: drop time rather than spiral
        clock.frame_dt = frame_dt
        self._run_phases(world, FRAME_PHASES, frame_dt)
        world.flush()
        world.events.end_frame()
        clock.frame += 1
        if self._pending_world is not None:
            pending, self._pending_world = self._pending_world, None
            self.set_world(pending)
        self._frame_samples.append(time.perf_counter() - start)

    def run(self, frames: int, *, realtime: bool = False, should_stop: Callable[[], bool] | None = None) -> int:
        """Step ``frames`` frames (fixed dt), pacing to the wall clock if ``realtime``.

        Returns the number of frames stepped (fewer if ``should_stop`` said so).
        """
        frame_dt = 1.0 / self.frame_rate
        next_due = time.perf_counter()
        for done in range(frames):
            if should_stop is not None and should_stop():
                return done
            self.step(frame_dt)
            if realtime:
                next_due += frame_dt
                delay = next_due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                else:
                    next_due = time.perf_counter()
        return frames

    # -- measurement ------------------------------------------------------------------
    def timings(self) -> dict[str, float]:
        """Median milliseconds per call of each system, in schedule order."""
        return {spec.name: round(spec.median_ms(), 4) for spec in self._systems}

    def frame_median_ms(self) -> float:
        """Median wall time of a whole frame, in milliseconds."""
        return statistics.median(self._frame_samples) * 1000.0 if self._frame_samples else 0.0

    def reset_timings(self) -> None:
        """Forget timing samples (e.g. after warm-up)."""
        for spec in self._systems:
            spec.samples.clear()
        self._frame_samples.clear()
