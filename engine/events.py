"""Event types shared by subsystems: triggers (things that happen) and actions (things to do).

Cues and behaviours turn triggers into actions; later subsystems (speech, render,
audio, session) consume the actions. Entities are ints; names are resolved when the
action is made.
"""

from __future__ import annotations

from dataclasses import dataclass

# -- triggers -----------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class ViewerArrived:
    """A viewer session started or a visitor stepped up to the kiosk."""

    session: str = ""


@dataclass(slots=True, frozen=True)
class ViewerLeft:
    """The viewer went away or the session ended."""

    session: str = ""


@dataclass(slots=True, frozen=True)
class KeyPressed:
    """A key (``a``, ``space``, ``f1``, ``left`` ...) was pressed."""

    key: str


@dataclass(slots=True, frozen=True)
class MenuChosen:
    """The viewer picked a menu entry."""

    choice: str


@dataclass(slots=True, frozen=True)
class SceneEnded:
    """The scene reached its declared duration."""

    scene: str


TRIGGER_EVENTS: dict[str, type] = {
    "viewer_arrived": ViewerArrived,
    "viewer_left": ViewerLeft,
    "key": KeyPressed,
    "menu_choice": MenuChosen,
    "scene_end": SceneEnded,
}

# -- actions ---------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class Say:
    """``who`` speaks ``text``, or plays the recorded line ``audio`` (captions follow the voice)."""

    who: int
    text: str = ""
    lang: str | None = None
    audio: str | None = None  # absolute path of a recorded line, already checked
    source: str = ""


@dataclass(slots=True, frozen=True)
class Emote:
    """``who`` shows ``emotion`` at ``intensity``, for ``duration`` seconds (None: until changed)."""

    who: int
    emotion: str
    intensity: float = 1.0
    duration: float | None = None
    source: str = ""


@dataclass(slots=True, frozen=True)
class Gesture:
    """``who`` plays a body gesture."""

    who: int
    gesture: str
    source: str = ""


@dataclass(slots=True, frozen=True)
class Cut:
    """Switch the active camera (optionally to a shot preset framing ``target``)."""

    camera: int
    shot: str | None = None
    target: int | None = None
    source: str = ""


@dataclass(slots=True, frozen=True)
class PlaySound:
    """Play a sound file (absolute path, already checked against the asset roots)."""

    sound: str
    volume: float = 1.0
    loop: bool = False
    source: str = ""


@dataclass(slots=True, frozen=True)
class Caption:
    """Show ``text`` on screen for ``duration`` seconds."""

    text: str
    duration: float = 3.0
    source: str = ""


@dataclass(slots=True, frozen=True)
class LoadScene:
    """Replace the current scene with the scene file at ``scene`` (absolute path)."""

    scene: str
    source: str = ""


@dataclass(slots=True, frozen=True)
class Spoken:
    """A ``say`` line turned into speech: it plays from ``start`` for ``duration`` seconds."""

    who: int
    text: str
    start: float
    duration: float


ACTION_EVENTS: dict[str, type] = {
    "say": Say,
    "emote": Emote,
    "gesture": Gesture,
    "cut": Cut,
    "play_sound": PlaySound,
    "caption": Caption,
    "load_scene": LoadScene,
}
