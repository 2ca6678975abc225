"""World, deferred commands, resources and events."""

from dataclasses import dataclass

import pytest

from engine.ecs import Events, World


@dataclass(slots=True)
class Position:
    x: float


@dataclass(slots=True)
class Velocity:
    x: float


@dataclass(slots=True)
class Ping:
    n: int


def test_spawn_now_and_query():
    world = World("t")
    a = world.spawn_now(Position(1.0), Velocity(2.0))
    b = world.spawn_now(Position(5.0))
    assert [e for e, _ in world.query(Position, Velocity)] == [a]
    assert sorted(e for e, _ in world.query_one(Position)) == [a, b]
    assert world.get(b, Position).x == 5.0
    assert world.try_get(b, Velocity) is None
    world.close()


def test_commands_are_deferred_until_flush():
    world = World("t")
    keep = world.spawn_now(Position(0.0))
    new = world.commands.spawn(Position(1.0))
    world.commands.insert(keep, Velocity(3.0))
    # nothing structural happened yet: queries still see the old state
    assert not world.exists(new)
    assert world.query(Position, Velocity) == []
    assert world.flush() == 2
    assert world.exists(new) and world.get(new, Position).x == 1.0
    assert [e for e, _ in world.query(Position, Velocity)] == [keep]
    world.commands.remove(keep, Velocity)
    world.commands.despawn(new)
    assert world.exists(new)
    world.flush()
    assert not world.exists(new)
    assert not world.has(keep, Velocity)
    world.close()


def test_spawn_then_despawn_in_same_frame_and_ids_stay_in_step():
    world = World("t")
    first = world.commands.spawn(Position(1.0))
    world.commands.despawn(first)
    second = world.commands.spawn(Position(2.0))
    world.flush()
    assert not world.exists(first)
    assert world.get(second, Position).x == 2.0
    third = world.spawn_now(Position(3.0))
    assert third == second + 1
    world.close()


def test_commands_on_missing_entities_are_ignored():
    world = World("t")
    world.commands.insert(999, Position(1.0))
    world.commands.remove(999, Position)
    world.commands.despawn(999)
    assert world.flush() == 3
    assert world.entities() == []
    world.close()


def test_worlds_are_isolated():
    one, two = World("one"), World("two")
    e1 = one.spawn_now(Position(1.0))
    two.spawn_now(Position(2.0), Velocity(0.0))
    assert [p.x for _, p in one.query_one(Position)] == [1.0]
    assert [p.x for _, p in two.query_one(Position)] == [2.0]
    assert one.get(e1, Position).x == 1.0
    one.close()
    with pytest.raises(RuntimeError):
        one.query_one(Position)
    assert len(two) == 1
    two.close()


def test_resources_are_typed():
    world = World("t")
    world.resources.insert(Position(4.0))
    assert world.resources.get(Position).x == 4.0
    assert world.resources.try_get(Velocity) is None
    with pytest.raises(KeyError, match="Velocity"):
        world.resources.get(Velocity)
    world.close()


def test_events_live_two_frames_and_each_reader_sees_each_once():
    events = Events()
    early = events.reader(Ping)
    events.send(Ping(1))
    assert [p.n for p in early.read()] == [1]
    assert list(early.read()) == []
    late = events.reader(Ping)
    events.end_frame()  # frame 1 ends: Ping(1) still readable during frame 2
    events.send(Ping(2))
    assert [p.n for p in late.read()] == [1, 2]
    assert [p.n for p in early.read()] == [2]
    events.end_frame()
    events.end_frame()  # Ping(2) dropped now
    fresh = events.reader(Ping)
    assert list(fresh.read()) == []
    assert events.pending(Ping) == []


def test_event_handlers_are_strong_references():
    # esper's set_handler keeps weak references; our queues hold events strongly
    events = Events()
    reader = events.reader(Ping)
    events.send(Ping(7))
    import gc

    gc.collect()
    assert [p.n for p in reader.read()] == [7]
