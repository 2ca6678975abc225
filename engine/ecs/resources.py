"""Typed resources: world-wide singletons (clock, config, asset cache) keyed by their type."""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


class Resources:
    """A map from a type to the one instance of it that a world holds."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: dict[type, Any] = {}

    def insert(self, value: Any) -> None:
        """Store ``value`` under its own type, replacing any earlier one."""
        self._items[type(value)] = value

    def get(self, kind: type[T]) -> T:
        """Return the resource of type ``kind``; KeyError naming the type if absent."""
        try:
            return self._items[kind]
        except KeyError:
            raise KeyError(f"no resource of type {kind.__name__} in this world") from None

    def try_get(self, kind: type[T]) -> T | None:
        """Return the resource of type ``kind`` or None."""
        return self._items.get(kind)

    def remove(self, kind: type) -> None:
        """Drop the resource of type ``kind`` if present."""
        self._items.pop(kind, None)

    def __contains__(self, kind: type) -> bool:
        return kind in self._items

    def types(self) -> list[type]:
        """The types of all resources held, in insertion order."""
        return list(self._items)
