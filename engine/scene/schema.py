"""The scene file schema: the [scene] table, entity components, cue triggers and actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.components import (
    AVATAR_STYLES,
    CAMERA_MOVES,
    LIGHT_KINDS,
    LIGHT_ROLES,
    SET_PRESETS,
    SHOTS,
    Avatar,
    Camera,
    Environment,
    Light,
    Transform,
)
from engine.mathx import quat_from_euler_deg
from engine.scene.fields import (
    AssetPath,
    Bool,
    Choice,
    Color,
    EntityRef,
    Field,
    Float,
    Int,
    Str,
    StrList,
    Vec,
)

SLUG = r"[a-z0-9][a-z0-9_-]{0,63}"
SLUG_HELP = "use lowercase letters, digits, '-' and '_' (e.g. \"airport-guide\")"
NAME = r"[A-Za-z_][A-Za-z0-9_-]{0,63}"
NAME_HELP = "start with a letter; letters, digits, '-' and '_' only"
BEHAVIOUR_SPEC = r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*"
LANGUAGES = ("zh", "en")
# What the video is for, checked against avatar licences: personal (non-profit), personal_profit
# (an individual earning from it), commercial (a company or brand).
USES = ("personal", "personal_profit", "commercial")
IMAGE_OR_VIDEO = (".png", ".jpg", ".jpeg", ".webp", ".mp4", ".mov", ".webm")
MODELS = (".glb", ".gltf", ".vrm")
SOUNDS = (".wav", ".ogg", ".mp3", ".flac", ".m4a")


@dataclass
class TableSchema:
    """Fields of one TOML table; ``build`` turns checked values into a component."""

    fields: dict[str, Field]
    required: tuple[str, ...] = ()
    exclusive: tuple[tuple[str, str], ...] = ()  # pairs that may not both appear
    build: Callable[[dict[str, Any]], Any] | None = None


def _transform(values: dict[str, Any]) -> Transform:
    t = Transform()
    if "position" in values:
        t.position = np.array(values["position"])
    if "rotation" in values:
        q = np.array(values["rotation"])
        t.rotation = q / (np.linalg.norm(q) or 1.0)
    if "rotation_deg" in values:
        t.rotation = quat_from_euler_deg(*values["rotation_deg"])
    if "scale" in values:
        t.scale = np.array(values["scale"])
    return t


def _kwargs(cls: type) -> Callable[[dict[str, Any]], Any]:
    return lambda values: cls(**values)


COMPONENTS: dict[str, TableSchema] = {
    "transform": TableSchema(
        {
            "position": Vec(3),
            "rotation": Vec(4, -1.0, 1.0),
            "rotation_deg": Vec(3),
            "scale": Vec(3, 1e-6, 1e6, uniform=True),
        },
        exclusive=(("rotation", "rotation_deg"),),
        build=_transform,
    ),
    "camera": TableSchema(
        {
            "fov_deg": Float(1.0, 170.0, example="35.0"),
            "near": Float(0.0, 10.0, lo_open=True, example="0.05"),
            "far": Float(0.1, 100000.0, example="100.0"),
            "active": Bool(),
            "target": EntityRef(),
            "shot": Choice(SHOTS),
            "move": Choice(CAMERA_MOVES),
            "move_speed": Float(0.0, 10.0),
            "subject": EntityRef(),
        },
        build=_kwargs(Camera),
    ),
    "light": TableSchema(
        {
            "kind": Choice(LIGHT_KINDS),
            "color": Color(),
            "intensity": Float(0.0, 1000.0),
            "temperature_k": Float(1000.0, 40000.0, example="5600.0"),
            "role": Choice(LIGHT_ROLES),
            "shadows": Bool(),
        },
        build=_kwargs(Light),
    ),
    "environment": TableSchema(
        {
            "background": AssetPath(IMAGE_OR_VIDEO, example='"backgrounds/studio.png"'),
            "background_color": Color(),
            "gradient_top": Color(),
            "preset": Choice(SET_PRESETS),
            "floor": Bool(),
            "floor_color": Color(),
            "props": StrList(AssetPath(MODELS)),
        },
        build=_kwargs(Environment),
    ),
    "avatar": TableSchema(
        {
            "asset": AssetPath(MODELS),
            "style": Choice(AVATAR_STYLES),
            "seed": Int(0, 2**31 - 1),
        },
        build=_kwargs(Avatar),
    ),
}

SCENE = TableSchema(
    {
        "id": Str(SLUG, SLUG_HELP, example='"airport-guide"'),
        "title": Str(max_len=200, example='"Airport guide"'),
        "description": Str(),
        "tags": StrList(Str(SLUG, SLUG_HELP)),
        "language": Choice(LANGUAGES),
        "duration": Float(0.0, 3600.0, lo_open=True, example="20.0"),
        "seed": Int(0, 2**31 - 1),
        "use": Choice(USES),
    },
    required=("id", "title"),
)

# Keys of an [[entity]] table other than component sub-tables.
ENTITY_KEYS: dict[str, Field] = {
    "name": Str(NAME, NAME_HELP, example='"host"'),
    "prefab": Str(SLUG, SLUG_HELP, example='"presenter"'),
    "behaviours": StrList(Str(BEHAVIOUR_SPEC, 'write "module:Class", e.g. "greeter:Greeter"')),
    "parent": EntityRef(),
    "tags": StrList(Str(SLUG, SLUG_HELP)),
}
PREFAB_KEYS = {k: v for k, v in ENTITY_KEYS.items() if k in ("behaviours", "tags")}

# Cue triggers: `on = "..."` and the fields each one takes.
TRIGGERS: dict[str, TableSchema] = {
    "timer": TableSchema({"every": Float(0.0, 86400.0, lo_open=True, example="5.0")}, required=("every",)),
    "viewer_arrived": TableSchema({}),
    "viewer_left": TableSchema({}),
    "key": TableSchema({"key": Str(r"[a-z0-9]|f\d{1,2}|space|enter|escape|left|right|up|down",
                                   "a letter, digit, f1-f12, space, enter, escape or an arrow",
                                   example='"space"')}, required=("key",)),
    "menu_choice": TableSchema({"choice": Str(SLUG, SLUG_HELP, example='"flights"')}, required=("choice",)),
    "scene_end": TableSchema({}),
}

EMOTIONS = ("happy", "sad", "angry", "surprised", "relaxed", "neutral")
GESTURES = ("wave", "nod", "shake_head", "point", "bow", "talk")


@dataclass
class ActionSchema:
    """Fields of one cue action (``do = "..."``)."""

    table: TableSchema
    who_needs: str | None = None  # component the `who` entity must have
    description: str = ""
    defaults: dict[str, Any] = field(default_factory=dict)


ACTIONS: dict[str, ActionSchema] = {
    "say": ActionSchema(
        TableSchema({"who": EntityRef(), "text": Str(example='"Hello!"'), "lang": Choice(LANGUAGES),
                     "audio": AssetPath(SOUNDS, example='"voice/line3.wav"')},
                    required=("who",)),
        who_needs="avatar", description="speak a line (with captions), or play a recorded one",
    ),
    "emote": ActionSchema(
        TableSchema({"who": EntityRef(), "emotion": Choice(EMOTIONS), "intensity": Float(0.0, 1.0),
                     "duration": Float(0.0, 600.0, lo_open=True)}, required=("who", "emotion")),
        who_needs="avatar", description="show an emotion", defaults={"intensity": 1.0},
    ),
    "gesture": ActionSchema(
        TableSchema({"who": EntityRef(), "gesture": Choice(GESTURES)}, required=("who", "gesture")),
        who_needs="avatar", description="play a body gesture",
    ),
    "cut": ActionSchema(
        TableSchema({"camera": EntityRef(needs="camera"), "shot": Choice(SHOTS), "target": EntityRef()},
                    required=("camera",)),
        description="switch to a camera (and shot)",
    ),
    "play_sound": ActionSchema(
        TableSchema({"sound": AssetPath(SOUNDS, example='"music/theme.wav"'), "volume": Float(0.0, 1.0),
                     "loop": Bool()}, required=("sound",)),
        description="play music or an effect", defaults={"volume": 1.0, "loop": False},
    ),
    "caption": ActionSchema(
        TableSchema({"text": Str(example='"Welcome"'), "duration": Float(0.0, 600.0, lo_open=True)},
                    required=("text",)),
        description="show a caption", defaults={"duration": 3.0},
    ),
    "load_scene": ActionSchema(
        TableSchema({"scene": Str(r"[^\\]+\.toml", "a .toml path relative to this scene's folder",
                                  example='"airport-guide.toml"')}, required=("scene",)),
        description="replace this scene with another",
    ),
}

CUE_KEYS = {"at": Float(0.0, 86400.0, example="1.5"), "on": Choice(tuple(TRIGGERS)),
            "do": Choice(tuple(ACTIONS))}
