"""A news anchor: serious while reading, a brief smile when signing off."""

from engine.events import Say
from engine.scripting import Behaviour

SIGN_OFF_WORDS = ("再见", "goodbye", "good night")


class Anchor(Behaviour):
    """Keeps a neutral reading face and smiles at the sign-off line."""

    def on_start(self) -> None:
        self.scene.emote(self.entity, "neutral", intensity=1.0)

    def on_event(self, event: object) -> None:
        if isinstance(event, Say) and event.who == self.entity:
            if any(word in event.text.lower() for word in SIGN_OFF_WORDS):
                self.scene.emote(self.entity, "happy", intensity=0.6, duration=2.0)
                self.scene.gesture(self.entity, "nod")
