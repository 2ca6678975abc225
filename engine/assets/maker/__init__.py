"""The built-in digital human: ``make_avatar(AvatarParams.from_style("presenter", seed=7))``."""

from engine.assets.maker.assemble import make_avatar
from engine.assets.maker.params import HAIR_STYLES, OUTFITS, AvatarParams, parameter_choices

__all__ = ["HAIR_STYLES", "OUTFITS", "AvatarParams", "make_avatar", "parameter_choices"]
