"""Bevy-style app tests: build an App without a window, add systems, step, assert on the world."""

from dataclasses import dataclass

import pytest

from engine.app import App, Clock, Phase
from engine.ecs import World


@dataclass(slots=True)
class Counter:
    ticks: int = 0
    frames: int = 0


def test_phases_run_in_order_and_systems_in_declaration_order():
    app = App()
    calls = []
    for phase in reversed(list(Phase)):
        for n in (1, 2):
            app.add_system(lambda w, dt, p=phase, n=n: calls.append((p, n)), phase, name=f"{phase.name}{n}")
    app.step()
    assert calls == [(p, n) for p in Phase for n in (1, 2)]
    assert [s.name for s in app.systems] == [f"{p.name}{n}" for p in Phase for n in (1, 2)]


def test_fixed_step_60hz_runs_two_ticks_per_30fps_frame_and_presents_once():
    app = App(tick_hz=60, frame_rate=30)
    world = app.world
    entity = world.spawn_now(Counter())

    def tick(w: World, dt: float) -> None:
        assert dt == pytest.approx(1 / 60)
        w.get(entity, Counter).ticks += 1

    def present(w: World, dt: float) -> None:
        assert dt == pytest.approx(1 / 30)
        w.get(entity, Counter).frames += 1

    app.add_system(tick, Phase.ANIMATE)
    app.add_system(present, Phase.PRESENT)
    app.run(frames=30)
    counter = world.get(entity, Counter)
    assert (counter.ticks, counter.frames) == (60, 30)
    clock = world.resources.get(Clock)
    assert clock.time == pytest.approx(1.0)
    assert clock.frame == 30


def test_spawn_from_a_system_appears_next_frame():
    app = App()
    seen = []

    def spawner(w: World, dt: float) -> None:
        if w.resources.get(Clock).frame == 0:
            w.commands.spawn(Counter())
        seen.append(len(w.query_one(Counter)))

    app.add_system(spawner, Phase.SCRIPT)
    app.run(3)
    assert seen == [0, 1, 1]


def test_timings_report_a_median_per_system():
    app = App()
    app.add_system(lambda w, dt: sum(range(1000)), Phase.SCRIPT, name="busy")
    app.run(10)
    timings = app.timings()
    assert list(timings) == ["busy"] and timings["busy"] > 0
    assert app.frame_median_ms() >= timings["busy"]


def test_schedule_mistakes_are_errors():
    app = App()
    app.add_system(lambda w, dt: None, Phase.INPUT, name="a")
    with pytest.raises(ValueError, match="already registered"):
        app.add_system(lambda w, dt: None, Phase.INPUT, name="a")
    with pytest.raises(TypeError):
        app.add_system(lambda w, dt: None, Phase.INPUT, name="b", reads=("Transform",))
    with pytest.raises(ValueError):
        App(tick_hz=45)


class _Plugin:
    def __init__(self):
        self.built = 0

    def build(self, app: App) -> None:
        self.built += 1
        app.add_system(lambda w, dt: None, Phase.PRESENT, name="plugin_system")
        app.on_world(lambda w: w.resources.insert(Counter()))


def test_plugins_register_systems_and_world_setup():
    app = App()
    plugin = _Plugin()
    app.add_plugin(plugin)
    assert plugin.built == 1
    assert app.world.resources.get(Counter).ticks == 0
    with pytest.raises(ValueError, match="twice"):
        app.add_plugin(_Plugin())


def test_requested_world_is_adopted_at_end_of_frame():
    app = App()
    first = app.world
    second = World("second")
    worlds_seen = []
    app.add_system(lambda w, dt: worlds_seen.append(w), Phase.SESSION, name="watch")
    app.request_world(second)
    app.step()
    app.step()
    assert worlds_seen == [first, second]
    assert app.world is second
    assert second.resources.get(Clock).frame == 1  # fresh clock per world
