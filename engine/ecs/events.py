"""Typed per-frame event queues with per-reader cursors (strong references, unlike esper's handlers).

An event sent during frame N is visible to every reader from the moment it is sent
until the end of frame N+1; each reader sees each event at most once. This is the
double-buffer scheme Bevy uses, so a system early in a frame still sees what a later
system sent in the previous frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar

E = TypeVar("E")


class _Queue:
    __slots__ = ("previous", "current", "next_seq")

    def __init__(self) -> None:
        self.previous: list[tuple[int, Any]] = []
        self.current: list[tuple[int, Any]] = []
        self.next_seq = 0


class EventReader(Generic[E]):
    """A cursor over one event type; ``read()`` yields the events this reader has not seen."""

    __slots__ = ("_events", "_kind", "_seen")

    def __init__(self, events: Events, kind: type[E]) -> None:
        self._events = events
        self._kind = kind
        self._seen = -1

    def read(self) -> Iterator[E]:
        """Yield unseen events of this reader's type, oldest first."""
        queue = self._events._queue(self._kind)
        for buffer in (queue.previous, queue.current):
            for seq, event in buffer:
                if seq > self._seen:
                    self._seen = seq
                    yield event


class Events:
    """All event queues of a world, one per event type."""

    __slots__ = ("_queues",)

    def __init__(self) -> None:
        self._queues: dict[type, _Queue] = {}

    def _queue(self, kind: type) -> _Queue:
        queue = self._queues.get(kind)
        if queue is None:
            queue = self._queues[kind] = _Queue()
        return queue

    def send(self, event: Any) -> None:
        """Queue ``event`` under its own type."""
        queue = self._queue(type(event))
        queue.current.append((queue.next_seq, event))
        queue.next_seq += 1

    def reader(self, kind: type[E]) -> EventReader[E]:
        """A new cursor over events of ``kind``, starting with those still buffered."""
        return EventReader(self, kind)

    def pending(self, kind: type[E]) -> list[E]:
        """Every buffered event of ``kind`` (both frames), without moving any cursor."""
        queue = self._queue(kind)
        return [event for _, event in queue.previous + queue.current]

    def end_frame(self) -> None:
        """Swap buffers: the previous frame's events are dropped."""
        for queue in self._queues.values():
            queue.previous = queue.current
            queue.current = []
