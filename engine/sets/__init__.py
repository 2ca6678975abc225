"""Built-in virtual sets: procedural static geometry (no skin) the talent stands in, facing +Z at the origin."""

from __future__ import annotations

from collections.abc import Callable

from engine.assets.model import AvatarAsset
from engine.sets.halls import airport_hall, showroom
from engine.sets.studio import news_studio, stage

_MAKERS: dict[str, Callable[[int], AvatarAsset]] = {
    "news_studio": news_studio,
    "airport_hall": airport_hall,
    "showroom": showroom,
    "stage": stage,
}
SET_NAMES = tuple(_MAKERS)
CLEAR_RADIUS = 1.5  # metres kept free of geometry (above the floor) around the origin


def make_set(name: str, seed: int = 0) -> AvatarAsset:
    """The set ``name`` (one of SET_NAMES) as a static asset; the same seed gives the same geometry.

    Metres, Y up; the backdrop is at negative Z, the camera side is +Z; nothing stands within
    CLEAR_RADIUS of the origin. Screens and light panels carry emissive materials.
    """
    maker = _MAKERS.get(name)
    if maker is None:
        raise ValueError(f"unknown set {name!r}; expected one of {', '.join(SET_NAMES)}")
    return maker(int(seed))


def set_has_floor(asset: AvatarAsset) -> bool:
    """Whether a set brings its own floor (the renderer then adds no floor / shadow catcher)."""
    if asset.generator.startswith("persona.sets:"):
        return "floor=1" in asset.generator.split()
    return any(node.name == "floor" for node in asset.nodes)


__all__ = ["CLEAR_RADIUS", "SET_NAMES", "make_set", "set_has_floor"]
