"""A presenter that nods as each of its lines starts and waves when the scene ends."""

from engine.events import Say, SceneEnded
from engine.scripting import Behaviour


class Presenter(Behaviour):
    """Adds small gestures around the presenter's spoken lines."""

    def on_start(self) -> None:
        self.lines = 0

    def on_event(self, event: object) -> None:
        if isinstance(event, Say) and event.who == self.entity:
            self.lines += 1
            self.scene.gesture(self.entity, "nod" if self.lines % 2 else "talk")
        elif isinstance(event, SceneEnded):
            self.scene.gesture(self.entity, "wave")
