"""The base class for behaviours in scripts/: override the hooks you need."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.scripting.facade import SceneFacade


class Behaviour:
    """A script attached to one entity.

    ``self.entity`` is the entity id, ``self.scene`` the facade through which the
    behaviour reads and changes the scene, ``self.random`` a generator seeded from the
    scene seed and the entity name (renders stay deterministic).
    """

    entity: int
    scene: SceneFacade
    random: random.Random

    def on_start(self) -> None:
        """Called once, on the first tick after the scene is built."""

    def on_update(self, dt: float) -> None:
        """Called every simulation tick with the tick length in seconds."""

    def on_event(self, event: Any) -> None:
        """Called for each trigger (ViewerArrived, KeyPressed, ...) and action (Say, Cut, ...) event."""
