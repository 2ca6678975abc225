"""What a virtual scene is staged with: cameras, lights, environment, avatars and behaviours."""

from __future__ import annotations

from dataclasses import dataclass

LIGHT_KINDS = ("directional", "point", "spot", "ambient")
SHOTS = ("close_up", "medium", "full", "over_shoulder", "two_shot")
CAMERA_MOVES = ("static", "dolly", "orbit", "push_in", "handheld")
SET_PRESETS = ("news_studio", "airport_hall", "showroom", "stage")
LIGHT_ROLES = ("key", "fill", "rim", "none")
# Looks of the built-in digital human; the generator (avatars issue) reads these.
AVATAR_STYLES = ("presenter", "casual", "guide", "business")


@dataclass(slots=True)
class Camera:
    """A view into the scene; the active camera is the one rendered."""

    fov_deg: float = 35.0
    near: float = 0.05
    far: float = 100.0
    active: bool = True
    target: int | None = None  # entity the camera frames
    shot: str | None = None  # a SHOTS preset: framing computed from the target each frame
    move: str | None = None  # a CAMERA_MOVES move layered on the shot
    move_speed: float = 1.0
    subject: int | None = None  # the second subject of over_shoulder / two_shot


@dataclass(slots=True)
class Light:
    """A light source; colour temperature (kelvin), when given, tints ``color``."""

    kind: str = "directional"
    color: tuple[float, float, float] = (1.0, 1.0, 1.0)
    intensity: float = 1.0
    temperature_k: float | None = None
    role: str = "none"
    shadows: bool = False


@dataclass(slots=True)
class Environment:
    """The virtual set: background, floor and props."""

    background: str | None = None  # image or video plate, absolute path once loaded
    background_color: tuple[float, float, float] = (0.12, 0.13, 0.16)
    gradient_top: tuple[float, float, float] | None = None  # vertical gradient up to this colour
    preset: str | None = None  # a built-in virtual set (SET_PRESETS)
    floor: bool = True
    floor_color: tuple[float, float, float] = (0.35, 0.35, 0.38)
    props: tuple[str, ...] = ()


@dataclass(slots=True)
class Avatar:
    """A digital human: a glTF/VRM asset, or the built-in one made from ``style`` and ``seed``."""

    asset: str | None = None
    style: str = "presenter"
    seed: int = 0


@dataclass(slots=True)
class Behaviours:
    """Python behaviours attached to the entity, as ``module:Class`` specs under scripts/."""

    specs: tuple[str, ...] = ()
