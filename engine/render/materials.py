"""Materials: our GLSL shaders, glTF/MToon material fields as shader inputs, textures from embedded images."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from panda3d.core import (
    CullFaceAttrib,
    NodePath,
    PNMImage,
    SamplerState,
    Shader,
    StringStream,
    Texture,
    TransparencyAttrib,
)
from PIL import Image as PILImage

from engine.assets.model import AvatarAsset, Material

SHADER_DIR = Path(__file__).resolve().parent / "shaders"
# Face internals (eyes, lashes, mouth) get no outline: the hull would poke through the skin.
_NO_OUTLINE = ("sclera", "iris", "eye", "lash", "brow", "mouth", "teeth", "tongue", "lips", "pupil", "highlight")
# Default MToon-like shade: the shadow side keeps a warm, slightly saturated tone.
DEFAULT_SHADE = np.array([0.72, 0.56, 0.60])
MIN_OUTLINE_VERTICES = 300


def srgb_to_linear(rgb: np.ndarray | tuple[float, ...]) -> np.ndarray:
    """sRGB-encoded colour(s) in 0..1 to linear."""
    c = np.clip(np.asarray(rgb, dtype=np.float64), 0.0, 1.0)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(rgb: np.ndarray | tuple[float, ...]) -> np.ndarray:
    """Linear colour(s) in 0..1 to sRGB encoding."""
    c = np.clip(np.asarray(rgb, dtype=np.float64), 0.0, 1.0)
    return np.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1.0 / 2.4) - 0.055)


def _with_defines(source: str, defines: tuple[str, ...]) -> str:
    if not defines:
        return source
    version, _, rest = source.partition("\n")  # every shader starts with its #version line
    return "\n".join([version, *(f"#define {name}" for name in defines), rest])


@cache
def load_shader(vertex: str, fragment: str, defines: tuple[str, ...] = ()) -> Shader:
    """A GLSL shader from two files under shaders/, with ``#define``s (cached; raises if it does not parse)."""
    source_v = _with_defines((SHADER_DIR / vertex).read_text(encoding="utf-8"), defines)
    source_f = _with_defines((SHADER_DIR / fragment).read_text(encoding="utf-8"), defines)
    shader = Shader.make(Shader.SL_GLSL, source_v, source_f)
    if shader is None:
        raise RuntimeError(f"shader {vertex} + {fragment} {defines} failed to compile")
    return shader


def _features(textured: bool, vertex_colors: bool, mask: bool) -> tuple[str, ...]:
    return tuple(name for name, on in (("HAS_TEX", textured), ("HAS_VCOL", vertex_colors), ("ALPHA_MASK", mask))
                 if on)


def toon_shader(textured: bool = False, vertex_colors: bool = False, mask: bool = False) -> Shader:
    """Avatars: MToon-like lit/shade ramp with rim light (a variant per feature set)."""
    return load_shader("mesh.vert", "toon.frag", _features(textured, vertex_colors, mask))


def pbr_shader(textured: bool = False, vertex_colors: bool = False, mask: bool = False) -> Shader:
    """Sets and props: PBR-lite with per-vertex lighting (a variant per feature set)."""
    return load_shader("pbr.vert", "pbr.frag", _features(textured, vertex_colors, mask))


def outline_shader() -> Shader:
    """The inverted-hull outline pass."""
    return load_shader("outline.vert", "outline.frag")


def floor_shader() -> Shader:
    """The floor, lit per vertex."""
    return load_shader("floor.vert", "floor.frag")


def shadow_shader() -> Shader:
    """The contact shadow catcher, multiplied onto the floor."""
    return load_shader("shadow.vert", "shadow.frag")


def backdrop_shader(plate: bool = False) -> Shader:
    """The background: a vertical gradient, or an image plate."""
    return load_shader("backdrop.vert", "backdrop.frag", ("HAS_TEX",) if plate else ())


def texture_from_bytes(data: bytes, name: str, *, srgb: bool = True) -> Texture:
    """Decode PNG/JPEG bytes into a mipmapped, repeat-wrapped texture (sRGB unless told otherwise).

    Images are normalised to RGB or RGBA first: palette, grey and grey+alpha PNGs otherwise reach
    the GL upload with a channel count that does not match the sRGB format (a Panda3D assertion).
    """
    image = PNMImage()
    if not image.read(StringStream(_as_rgb_png(data, name))):
        raise ValueError(f"texture {name!r}: could not decode the embedded image")
    texture = Texture(name)
    texture.load(image)
    if srgb:
        texture.set_format(Texture.F_srgb_alpha if image.has_alpha() else Texture.F_srgb)
    texture.set_minfilter(SamplerState.FT_linear_mipmap_linear)
    texture.set_magfilter(SamplerState.FT_linear)
    return texture


def _as_rgb_png(data: bytes, name: str) -> bytes:
    """``data`` unchanged when it is already 8-bit RGB(A), else re-encoded as an RGB(A) PNG."""
    try:
        with PILImage.open(io.BytesIO(data)) as source:
            if source.mode in ("RGB", "RGBA") and source.format in ("PNG", "JPEG"):
                return data
            has_alpha = "A" in source.getbands() or "transparency" in source.info
            converted = source.convert("RGBA" if has_alpha else "RGB")
    except (OSError, ValueError) as error:
        raise ValueError(f"texture {name!r}: could not decode the embedded image ({error})") from None
    out = io.BytesIO()
    converted.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def texture_from_file(path: Path | str) -> Texture:
    """Load an image file (a background plate) as an sRGB-agnostic texture, clamped at the edges."""
    image = PNMImage()
    if not image.read(str(path)):
        raise ValueError(f"background image {path}: could not be read")
    texture = Texture(Path(path).name)
    texture.load(image)
    texture.set_wrap_u(SamplerState.WM_clamp)
    texture.set_wrap_v(SamplerState.WM_clamp)
    texture.set_minfilter(SamplerState.FT_linear)
    return texture


@dataclass(slots=True)
class TextureCache:
    """Textures decoded once per (asset, image index)."""

    items: dict[tuple[int, int], tuple[AvatarAsset, Texture]] = field(default_factory=dict)

    def get(self, asset: AvatarAsset, index: int) -> Texture:
        """The texture for ``asset.images[index]``."""
        key = (id(asset), index)
        cached = self.items.get(key)
        if cached is None or cached[0] is not asset:  # an id can be reused once an asset is freed
            image = asset.images[index]
            cached = self.items[key] = (asset, texture_from_bytes(image.data, image.name or f"image{index}"))
        return cached[1]


def _mtoon_colour(material: Material, key: str) -> np.ndarray | None:
    value = (material.mtoon or {}).get(key)
    if isinstance(value, (list, tuple)) and len(value) >= 3:
        return np.asarray(value[:3], dtype=np.float64)
    return None


def shade_factor(material: Material) -> np.ndarray:
    """The shade colour as a factor of the base colour (from MToon's shadeColorFactor when given)."""
    shade = _mtoon_colour(material, "shadeColorFactor")
    if shade is None:
        return DEFAULT_SHADE.copy()
    base = np.maximum(material.base_color[:3], 1e-3)
    return np.clip(shade / base, 0.0, 1.5)


def outline_colour(material: Material) -> np.ndarray:
    """The outline's sRGB colour: MToon's outlineColorFactor, else a dark tone of the base colour."""
    colour = _mtoon_colour(material, "outlineColorFactor")
    if colour is None:
        colour = np.asarray(material.base_color[:3], dtype=np.float64) * 0.18
    return linear_to_srgb(colour)


def wants_outline(material: Material | None, vertex_count: int) -> bool:
    """Whether a primitive gets the inverted-hull outline (MToon's width decides when present)."""
    if material is None:
        return vertex_count >= MIN_OUTLINE_VERTICES
    if material.mtoon and "outlineWidthFactor" in material.mtoon:
        return float(material.mtoon["outlineWidthFactor"] or 0.0) > 0.0
    if material.alpha_mode == "BLEND":
        return False
    name = material.name.lower()
    return vertex_count >= MIN_OUTLINE_VERTICES and not any(word in name for word in _NO_OUTLINE)


def set_base_color(node: NodePath, material: Material, *, has_colors: bool) -> None:
    """The base colour factor as a shader input (and as the flat colour a shaderless fallback draws)."""
    base = np.asarray(material.base_color, dtype=np.float64)
    node.set_shader_input("u_base", tuple(float(c) for c in base[:4]))
    if not has_colors:  # our shaders ignore the flat colour unless told to use vertex colours
        node.set_color(*(float(c) for c in linear_to_srgb(base[:3])), float(base[3]))


def apply_material(node: NodePath, material: Material | None, asset: AvatarAsset, textures: TextureCache, *,
                   toon: bool, has_colors: bool = False) -> None:
    """Set shader and inputs for ``material`` (None: glTF's default material) on ``node``."""
    material = material or Material("default")
    textured = material.base_color_texture is not None and material.base_color_texture < len(asset.images)
    mask = material.alpha_mode == "MASK"
    make = toon_shader if toon else pbr_shader
    node.set_shader(make(textured, has_colors, mask))
    set_base_color(node, material, has_colors=has_colors)
    node.set_shader_input("u_alpha_cutoff", float(material.alpha_cutoff if mask else -1.0))
    if textured:
        node.set_texture(textures.get(asset, material.base_color_texture))
    if toon:
        node.set_shader_input("u_shade", tuple(float(c) for c in shade_factor(material)))
    else:  # (u_base feeds the specular F0 of metals too)
        node.set_shader_input("u_emissive", tuple(float(c) for c in np.asarray(material.emissive)[:3]))
        node.set_shader_input("u_roughness", float(np.clip(material.roughness, 0.05, 1.0)))
        node.set_shader_input("u_metallic", float(np.clip(material.metallic, 0.0, 1.0)))
    if material.double_sided:
        node.set_two_sided(True)
    else:
        node.set_attrib(CullFaceAttrib.make(CullFaceAttrib.M_cull_clockwise))
    if material.alpha_mode == "BLEND":
        node.set_transparency(TransparencyAttrib.M_alpha)
        node.set_bin("transparent", 10)
        node.set_depth_write(False)


def apply_outline(node: NodePath, material: Material | None) -> None:
    """The outline pass on ``node``: front faces culled so only the pushed-out back hull shows."""
    node.set_shader(outline_shader())
    colour = outline_colour(material or Material("default"))
    node.set_shader_input("u_outline_color", tuple(float(c) for c in colour))
    node.set_attrib(CullFaceAttrib.make(CullFaceAttrib.M_cull_counter_clockwise))
