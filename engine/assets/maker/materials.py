"""Materials of the made avatar: skin, eyes, mouth, hair and clothes colours from the parameters."""

from __future__ import annotations

import numpy as np

from engine.assets.maker.params import (
    CLOTH_COLORS,
    EYE_COLORS,
    HAIR_COLORS,
    SKIN_TONES,
    AvatarParams,
    resolve_color,
)
from engine.assets.model import Material

# Surfaces seen from both sides: thin shells (hair, lashes, brows), the mouth cavity, an open skirt hem.
# The sclera material also colours the teeth, "lips" the tongue and "lash" the pupils: fewer primitives.
DOUBLE_SIDED = {"hair", "lash", "brow", "mouth", "top", "accent", "hairTie"}


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """glTF base colour factors are linear; palettes are sRGB."""
    rgb = np.asarray(rgb, dtype=np.float64)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def material_colors(params: AvatarParams) -> dict[str, tuple[np.ndarray, float]]:
    """Material name -> (sRGB colour, roughness)."""
    skin = resolve_color(params.skin_tone, SKIN_TONES)
    hair = resolve_color(params.hair_color, HAIR_COLORS)
    top = resolve_color(params.top_color, CLOTH_COLORS)
    accent = resolve_color(params.accent_color, CLOTH_COLORS)
    if params.outfit == "suit" and np.all(accent > 0.85):
        accent = resolve_color("burgundy", CLOTH_COLORS)  # a white tie on a white shirt would vanish
    lips = skin * np.array([0.86, 0.60, 0.60]) + np.array([0.06, 0.0, 0.0])
    return {
        "skin": (skin, 0.62), "lips": (np.clip(lips, 0, 1), 0.5),
        "sclera": (np.array([0.95, 0.94, 0.92]), 0.25), "iris": (resolve_color(params.eye_color, EYE_COLORS), 0.25),
        "pupil": (np.array([0.02, 0.02, 0.025]), 0.2), "lash": (np.array([0.06, 0.045, 0.04]), 0.8),
        "brow": (np.clip(hair * 0.85, 0, 1), 0.9), "teeth": (np.array([0.93, 0.92, 0.87]), 0.35),
        "tongue": (np.array([0.78, 0.42, 0.42]), 0.5), "mouth": (np.array([0.30, 0.09, 0.09]), 0.8),
        "hair": (hair, 0.55), "hairTie": (np.array([0.1, 0.1, 0.12]), 0.6),
        "top": (top, 0.8), "shirt": (np.array([0.95, 0.95, 0.93]), 0.8), "accent": (accent, 0.75),
        "bottom": (resolve_color(params.bottom_color, CLOTH_COLORS), 0.85),
        "shoes": (resolve_color(params.shoe_color, CLOTH_COLORS), 0.4),
    }


def build_materials(params: AvatarParams, used: list[str]) -> list[Material]:
    """One glTF material per name in ``used`` (in that order)."""
    colors = material_colors(params)
    out = []
    for name in used:
        rgb, roughness = colors[name]
        base = np.append(srgb_to_linear(rgb), 1.0)
        out.append(Material(name=name, base_color=base, metallic=0.0, roughness=roughness,
                            double_sided=name in DOUBLE_SIDED))
    return out
