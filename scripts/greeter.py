"""A kiosk greeter: smiles at arrivals, points towards answers, and idles with a wave."""

from engine.events import MenuChosen, ViewerArrived, ViewerLeft
from engine.scripting import Behaviour

IDLE_WAVE_AFTER_S = 20.0


class Greeter(Behaviour):
    """Reacts to visitors; waves now and then while nobody is there."""

    def on_start(self) -> None:
        self.visitor = False
        self.idle_since = 0.0

    def on_event(self, event: object) -> None:
        if isinstance(event, ViewerArrived):
            self.visitor = True
            self.scene.emote(self.entity, "happy", intensity=0.8, duration=3.0)
        elif isinstance(event, MenuChosen):
            self.scene.gesture(self.entity, "point")
        elif isinstance(event, ViewerLeft):
            self.visitor = False
            self.idle_since = self.scene.time

    def on_update(self, dt: float) -> None:
        if not self.visitor and self.scene.time - self.idle_since >= IDLE_WAVE_AFTER_S:
            self.idle_since = self.scene.time
            self.scene.gesture(self.entity, "wave")
