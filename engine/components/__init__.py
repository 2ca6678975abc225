"""Components: small slotted dataclasses that hold data and no behaviour."""

from engine.components.core import Name, Parent, Tags, Transform, WorldTransform
from engine.components.staging import (
    AVATAR_STYLES,
    CAMERA_MOVES,
    LIGHT_KINDS,
    LIGHT_ROLES,
    SET_PRESETS,
    SHOTS,
    Avatar,
    Behaviours,
    Camera,
    Environment,
    Light,
)

__all__ = [
    "AVATAR_STYLES",
    "CAMERA_MOVES",
    "LIGHT_KINDS",
    "LIGHT_ROLES",
    "SET_PRESETS",
    "SHOTS",
    "Avatar",
    "Behaviours",
    "Camera",
    "Environment",
    "Light",
    "Name",
    "Parent",
    "Tags",
    "Transform",
    "WorldTransform",
]
