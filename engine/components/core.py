"""Identity and placement components: Name, Tags, Transform, Parent, WorldTransform."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def _vec(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


@dataclass(slots=True)
class Name:
    """A unique, human-readable entity name within a scene (scene files refer to it)."""

    value: str


@dataclass(slots=True)
class Tags:
    """Free-form labels for queries and scripts."""

    values: tuple[str, ...] = ()


@dataclass(slots=True, eq=False)
class Transform:
    """Local placement relative to the parent: metres, unit quaternion (x, y, z, w), scale."""

    position: np.ndarray = field(default_factory=lambda: _vec(0.0, 0.0, 0.0))
    rotation: np.ndarray = field(default_factory=lambda: _vec(0.0, 0.0, 0.0, 1.0))
    scale: np.ndarray = field(default_factory=lambda: _vec(1.0, 1.0, 1.0))


@dataclass(slots=True)
class Parent:
    """The entity this one's Transform is relative to."""

    entity: int


@dataclass(slots=True, eq=False)
class WorldTransform:
    """The 4x4 world matrix computed from the Transform hierarchy each frame."""

    matrix: np.ndarray = field(default_factory=lambda: np.eye(4))

    @property
    def position(self) -> np.ndarray:
        """World-space position (a view into the matrix)."""
        return self.matrix[:3, 3]
