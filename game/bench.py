"""`persona bench`: speed rows measured against a baseline in the same run (medians, ratios)."""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.app import App, Phase
from engine.deform.measurement import Measurement
from engine.ecs import World


@dataclass(slots=True)
class Row(Measurement):
    """One bench result in the DESIGN.md JSON shape: an engine measurement plus optional details."""

    details: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The row as a plain dict."""
        row = {
            "name": self.name, "value": round(self.value, 4), "unit": self.unit,
            "baseline": self.baseline, "baseline_value": round(self.baseline_value, 4),
            "ratio": round(self.ratio, 3), "target": self.target, "met": self.met,
        }
        if self.details:
            row["details"] = self.details
        return row


# -- ECS frame overhead --------------------------------------------------------------------


@dataclass(slots=True)
class _Pos:
    x: float
    y: float


@dataclass(slots=True)
class _Vel:
    x: float
    y: float


@dataclass(slots=True)
class _Spin:
    angle: float
    rate: float


def _integrate(world: World, dt: float) -> None:
    for _, (p, v) in world.query(_Pos, _Vel):
        p.x += v.x * dt
        p.y += v.y * dt


def _bounce(world: World, dt: float) -> None:
    for _, (p, v) in world.query(_Pos, _Vel):
        if p.y < 0.0:
            p.y = -p.y
            v.y = -v.y * 0.9


def _spin(world: World, dt: float) -> None:
    for _, s in world.query_one(_Spin):
        s.angle = (s.angle + s.rate * dt) % 360.0


def _make(i: int) -> tuple[_Pos, _Vel, _Spin]:
    return _Pos(i * 0.01, 1.0 + (i % 7) * 0.1), _Vel(0.3, -2.0 + (i % 5) * 0.5), _Spin(0.0, 10.0 + i % 3)


def _median_frame(step: Callable[[], None], frames: int, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(frames):
            step()
        samples.append((time.perf_counter() - start) / frames)
    return statistics.median(samples)


def bench_ecs_frame(entities: int = 1000, frames: int = 60, repeats: int = 9) -> Row:
    """App.step over ``entities`` entities and 3 systems vs a plain Python loop doing the same."""
    app = App(tick_hz=30, frame_rate=30)
    for i in range(entities):
        app.world.spawn_now(*_make(i))
    app.add_system(_integrate, Phase.SCRIPT, reads=(_Vel,), writes=(_Pos,))
    app.add_system(_bounce, Phase.SCRIPT, reads=(_Pos,), writes=(_Pos, _Vel))
    app.add_system(_spin, Phase.ANIMATE, writes=(_Spin,))
    dt = 1.0 / 30.0

    objects = [_make(i) for i in range(entities)]

    def plain() -> None:
        for p, v, _ in objects:
            p.x += v.x * dt
            p.y += v.y * dt
        for p, v, _ in objects:
            if p.y < 0.0:
                p.y = -p.y
                v.y = -v.y * 0.9
        for _, _, s in objects:
            s.angle = (s.angle + s.rate * dt) % 360.0

    def ecs() -> None:
        app.step(dt)

    # interleave so both see the same machine load
    ecs_times, plain_times = [], []
    for _ in range(repeats):
        ecs_times.append(_median_frame(ecs, frames, 1))
        plain_times.append(_median_frame(plain, frames, 1))
    app.world.close()
    ecs_us = statistics.median(ecs_times) * 1e6
    plain_us = statistics.median(plain_times) * 1e6
    ratio = ecs_us / plain_us
    return Row("ecs_frame", ecs_us, "us/frame", "plain python loop", plain_us, ratio,
               "<= 3x a plain loop (1,000 entities, 3 systems)", ratio <= 3.0)


def _deform_row(measure: Callable[[], Any]) -> Callable[[], Row]:
    """Wrap an engine.deform.bench measurement (engine/ never imports game/) as a Row."""

    def run() -> Row:
        m = measure()
        return Row(**{name: getattr(m, name) for name in Measurement.__dataclass_fields__})

    return run


def _skinning() -> Any:
    from engine.deform.bench import bench_skinning  # numba compiles on first use: import lazily

    return bench_skinning()


def _morphs() -> Any:
    from engine.deform.bench import bench_morphs

    return bench_morphs()


DEMO_SCENE = Path(__file__).resolve().parents[1] / "scenes" / "demo.toml"


def bench_render(seconds: float = 3.0, width: int = 1080, height: int = 1920, fps: float = 30.0) -> Row:
    """Realtime factor of rendering the demo scene to MP4, against the clip's own length."""
    from game.render import RenderOptions, render_video

    with tempfile.TemporaryDirectory() as folder:
        options = RenderOptions(DEMO_SCENE, Path(folder) / "bench.mp4", width, height, fps, seconds,
                                cover=False, srt=False)
        report = render_video(options)
    frames = report.frames
    per_frame_ms = {stage: round(1000.0 * s / frames, 2) for stage, s in report.stages.items()}
    factor = report.realtime_factor
    return Row("render", factor, "x realtime", "clip length (realtime = 1.0)", 1.0, factor,
               f">= 1.0x realtime, {width}x{height} @ {fps:g} fps, demo scene", factor >= 1.0,
               {"clip_s": round(report.duration, 3), "wall_s": round(report.wall_s, 3),
                "per_frame_ms": per_frame_ms})


ROWS: dict[str, tuple[str, Callable[[], Row]]] = {
    "ecs_frame": ("ECS frame overhead, 1,000 entities x 3 systems, vs a plain loop", bench_ecs_frame),
    "skinning": ("linear-blend skinning, 50,000 vertices x 4 influences, positions + normals, vs numpy",
                 _deform_row(_skinning)),
    "morphs": ("morph targets, 50,000 vertices, 10 of 52 sparse targets active, vs numpy",
               _deform_row(_morphs)),
    "render": ("demo scene to MP4 at 1080x1920 @ 30 fps: realtime factor, split by stage", bench_render),
}


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }
