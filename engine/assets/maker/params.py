"""Avatar parameters: styles, palettes and the seed-driven defaults of the built-in digital human."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

import numpy as np

from engine.components.staging import AVATAR_STYLES

HAIR_STYLES = ("short", "bob", "long", "ponytail", "bun", "buzz")
OUTFITS = ("suit", "shirt", "hoodie", "dress", "uniform")

SKIN_TONES = {
    "porcelain": "#f3d8cb", "light": "#ebc4ac", "medium": "#d6a78c", "olive": "#c49a78",
    "tan": "#ae7d60", "brown": "#8c5f46", "deep": "#603f2f",
}
HAIR_COLORS = {
    "black": "#16110e", "dark_brown": "#2e1d14", "brown": "#5a3a24", "auburn": "#7a3620",
    "blonde": "#c9a467", "grey": "#9a9693", "ash": "#6b6158",
}
EYE_COLORS = {"dark": "#2a1a10", "brown": "#4d2e16", "hazel": "#6b5a2a", "green": "#3f5a3a",
              "blue": "#3a5a7a", "grey": "#5d6670"}
CLOTH_COLORS = {
    "navy": "#1f2a44", "charcoal": "#2f3136", "black": "#17181b", "white": "#eeeeea",
    "sky": "#a9c6e3", "red": "#b0302c", "teal": "#1f7a78", "mustard": "#c99a2e",
    "olive": "#59613a", "grey": "#8b8d90", "burgundy": "#6d1f2c", "beige": "#cdbb9c",
    "denim": "#3b5577", "coral": "#e0715a", "green": "#3f7d4a", "khaki": "#a89a72",
}

# What each style picks from (the seed chooses among them).
STYLE_CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "presenter": {"outfit": ("suit", "dress"), "hair_style": ("short", "bob", "ponytail", "bun"),
                  "top_color": ("navy", "charcoal", "burgundy", "teal"),
                  "accent_color": ("white", "sky", "red", "coral"),
                  "bottom_color": ("charcoal", "black", "navy")},
    "casual": {"outfit": ("hoodie", "shirt"), "hair_style": ("long", "short", "ponytail", "bob", "buzz"),
               "top_color": ("mustard", "red", "green", "sky", "grey", "coral"),
               "accent_color": ("white", "grey", "beige"), "bottom_color": ("denim", "khaki", "black")},
    "guide": {"outfit": ("uniform",), "hair_style": ("bun", "short", "ponytail", "bob"),
              "top_color": ("teal", "navy", "red", "burgundy"), "accent_color": ("mustard", "white", "sky"),
              "bottom_color": ("charcoal", "navy", "black")},
    "business": {"outfit": ("suit", "shirt"), "hair_style": ("short", "buzz", "bob", "bun"),
                 "top_color": ("charcoal", "navy", "grey", "black"),
                 "accent_color": ("white", "sky", "burgundy"), "bottom_color": ("charcoal", "black", "navy")},
}


@dataclass(slots=True)
class AvatarParams:
    """Everything that shapes a made avatar; ``from_style`` fills it from a style and a seed."""

    seed: int = 0
    style: str = "presenter"
    skin_tone: str = "light"  # a SKIN_TONES name or #rrggbb
    hair_style: str = "short"
    hair_color: str = "dark_brown"  # a HAIR_COLORS name or #rrggbb
    eye_color: str = "brown"  # an EYE_COLORS name or #rrggbb
    outfit: str = "suit"
    top_color: str = "navy"  # a CLOTH_COLORS name or #rrggbb
    accent_color: str = "white"
    bottom_color: str = "charcoal"
    shoe_color: str = "#222222"
    height: float = 1.70  # metres, top of the head
    build: float = 1.0  # 0.85 slim .. 1.2 broad
    head_scale: float = 1.0  # 0.9 .. 1.15, relative to a realistic head
    face_width: float = 1.0  # 0.92 .. 1.08
    eye_size: float = 1.0  # 0.9 .. 1.15

    def __post_init__(self) -> None:
        if self.style not in AVATAR_STYLES:
            raise ValueError(f"style {self.style!r} is not one of {', '.join(AVATAR_STYLES)}")
        if self.hair_style not in HAIR_STYLES:
            raise ValueError(f"hair_style {self.hair_style!r} is not one of {', '.join(HAIR_STYLES)}")
        if self.outfit not in OUTFITS:
            raise ValueError(f"outfit {self.outfit!r} is not one of {', '.join(OUTFITS)}")
        for name, palette in (("skin_tone", SKIN_TONES), ("hair_color", HAIR_COLORS),
                              ("eye_color", EYE_COLORS), ("top_color", CLOTH_COLORS),
                              ("accent_color", CLOTH_COLORS), ("bottom_color", CLOTH_COLORS),
                              ("shoe_color", CLOTH_COLORS)):
            resolve_color(getattr(self, name), palette, name)
        for name, lo, hi in (("height", 1.4, 2.1), ("build", 0.7, 1.4), ("head_scale", 0.8, 1.3),
                             ("face_width", 0.85, 1.15), ("eye_size", 0.8, 1.3)):
            value = float(getattr(self, name))
            if not lo <= value <= hi:
                raise ValueError(f"{name} {value} is out of range [{lo}, {hi}]")
            setattr(self, name, value)
        self.seed = int(self.seed)

    @classmethod
    def from_style(cls, style: str = "presenter", seed: int = 0, **overrides: object) -> AvatarParams:
        """Defaults for ``style`` varied by ``seed``; ``overrides`` (strings are converted) win."""
        if style not in AVATAR_STYLES:
            raise ValueError(f"style {style!r} is not one of {', '.join(AVATAR_STYLES)}")
        rng = np.random.default_rng(_seed_key(style, seed))
        choices = STYLE_CHOICES[style]

        def pick(options: tuple[str, ...]) -> str:
            return options[int(rng.integers(len(options)))]

        values: dict[str, object] = {
            "seed": seed, "style": style,
            "skin_tone": pick(tuple(SKIN_TONES)), "hair_color": pick(tuple(HAIR_COLORS)),
            "eye_color": pick(tuple(EYE_COLORS)), "outfit": pick(choices["outfit"]),
            "hair_style": pick(choices["hair_style"]), "top_color": pick(choices["top_color"]),
            "accent_color": pick(choices["accent_color"]), "bottom_color": pick(choices["bottom_color"]),
            "shoe_color": pick(("#222222", "#3a2a20", "#5a4030")),
            "height": round(float(rng.uniform(1.62, 1.80)), 3), "build": round(float(rng.uniform(0.92, 1.1)), 3),
            "head_scale": round(float(rng.uniform(1.0, 1.08)), 3),
            "face_width": round(float(rng.uniform(0.95, 1.05)), 3),
            "eye_size": round(float(rng.uniform(0.97, 1.08)), 3),
        }
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for name, value in overrides.items():
            if name not in fields:
                raise ValueError(f"unknown avatar parameter {name!r}; known: {', '.join(fields)}")
            values[name] = _convert(name, value, fields[name].type)
        return cls(**values)  # type: ignore[arg-type]


def _seed_key(style: str, seed: int) -> int:
    """A stable 64-bit key for the style and seed (Python's hash() is salted per process)."""
    digest = hashlib.sha256(f"{style}:{int(seed)}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def _convert(name: str, value: object, kind: object) -> object:
    """Convert a CLI string to the field's type."""
    if not isinstance(value, str):
        return value
    if kind in (int, "int"):
        return int(value)
    if kind in (float, "float"):
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"{name} must be a number, not {value!r}") from None
    return value


def resolve_color(value: str, palette: dict[str, str], what: str = "colour") -> np.ndarray:
    """An RGB triple in 0..1 (sRGB) from a palette name or ``#rrggbb``."""
    text = palette.get(value, value)
    if not (isinstance(text, str) and text.startswith("#") and len(text) == 7):
        raise ValueError(f"{what} {value!r} is neither #rrggbb nor one of {', '.join(palette)}")
    try:
        return np.array([int(text[i:i + 2], 16) / 255.0 for i in (1, 3, 5)])
    except ValueError:
        raise ValueError(f"{what} {value!r} is not a valid #rrggbb colour") from None


def parameter_choices(params: AvatarParams) -> dict[str, tuple[object, str]]:
    """Each parameter's current value and what it may be (for ``persona avatar make --list-params``)."""
    described = {
        "seed": "any integer", "style": ", ".join(AVATAR_STYLES),
        "skin_tone": ", ".join(SKIN_TONES) + ", #rrggbb", "hair_style": ", ".join(HAIR_STYLES),
        "hair_color": ", ".join(HAIR_COLORS) + ", #rrggbb", "eye_color": ", ".join(EYE_COLORS) + ", #rrggbb",
        "outfit": ", ".join(OUTFITS), "top_color": "colour name or #rrggbb",
        "accent_color": "colour name or #rrggbb", "bottom_color": "colour name or #rrggbb",
        "shoe_color": "colour name or #rrggbb", "height": "1.4 .. 2.1 m", "build": "0.7 .. 1.4",
        "head_scale": "0.8 .. 1.3", "face_width": "0.85 .. 1.15", "eye_size": "0.8 .. 1.3",
    }
    return {f.name: (getattr(params, f.name), described[f.name]) for f in dataclasses.fields(params)}


def color_names() -> dict[str, dict[str, str]]:
    """All palettes by parameter family."""
    return {"skin": dict(SKIN_TONES), "hair": dict(HAIR_COLORS), "eye": dict(EYE_COLORS),
            "cloth": dict(CLOTH_COLORS)}
