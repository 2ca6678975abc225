"""A showcase host: points at the product when the camera cuts to it, and turns the pedestal."""

import math

from engine.components import Transform
from engine.events import Cut
from engine.mathx import quat_from_euler_deg
from engine.scripting import Behaviour

TURN_DEG_PER_S = 30.0


class Showcase(Behaviour):
    """Turns the product pedestal slowly and gestures towards it on product shots."""

    def on_start(self) -> None:
        self.pedestal = self.scene.find("pedestal")
        self.product_camera = self.scene.find("cam_product")

    def on_event(self, event: object) -> None:
        if isinstance(event, Cut) and event.camera == self.product_camera:
            self.scene.gesture(self.entity, "point")

    def on_update(self, dt: float) -> None:
        transform = self.scene.get(self.pedestal, Transform) if self.pedestal else None
        if transform is not None:
            angle = math.fmod(self.scene.time * TURN_DEG_PER_S, 360.0)
            transform.rotation = quat_from_euler_deg(0.0, angle, 0.0)
