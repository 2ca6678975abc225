"""Text overlays on RGB frames: captions (CJK-capable), the AI-generated label, credits; cached sprites."""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from engine.record.metadata import AI_LABEL

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
DEFAULT_FONT = NOTO_DIR / "NotoSansCJK-Regular.ttc"
DEFAULT_BOLD_FONT = NOTO_DIR / "NotoSansCJK-Bold.ttc"
# Face 2 of the Noto CJK collections is "Noto Sans CJK SC": Simplified-Chinese glyph forms.
SC_FACE = 2
# No line may start with these (closing punctuation); they stay on the previous line.
_NO_LINE_START = set("，。、！？；：）」』】》〉”’…,.!?;:)]}%")
# CJK characters break anywhere; other text breaks at spaces.
_TOKEN = re.compile(
    r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff]+\s*|\s+"
)
_CACHE_SIZE = 128
MAX_CAPTION_LINES = 3


class FontNotFoundError(FileNotFoundError):
    """The overlay font is missing (install Debian fonts-noto-cjk or pass font_path)."""


@dataclass(slots=True)
class Sprite:
    """A pre-rendered text image ready to blend: premultiplied colour and inverse alpha."""

    premul: np.ndarray  # (h, w, 3) uint16: rgb * alpha
    inv_alpha: np.ndarray  # (h, w, 1) uint16: 255 - alpha

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.premul.shape[1], self.premul.shape[0]

    @classmethod
    def from_rgba(cls, rgba: np.ndarray) -> Sprite:
        """Build from an (h, w, 4) uint8 straight-alpha image."""
        alpha = rgba[:, :, 3:4].astype(np.uint16)
        return cls(rgba[:, :, :3].astype(np.uint16) * alpha, 255 - alpha)

    def blend(self, frame: np.ndarray, x: int, y: int) -> None:
        """Alpha-blend onto ``frame`` in place with the top-left corner at (x, y), clipped to the frame."""
        h, w = self.premul.shape[:2]
        x0, y0 = max(x, 0), max(y, 0)
        x1, y1 = min(x + w, frame.shape[1]), min(y + h, frame.shape[0])
        if x0 >= x1 or y0 >= y1:
            return
        region = frame[y0:y1, x0:x1]
        sx, sy = x0 - x, y0 - y
        # Integer blend: region*(255-a) + rgb*a never exceeds 255*255, so uint16 is enough.
        mixed = region.astype(np.uint16)
        mixed *= self.inv_alpha[sy : sy + y1 - y0, sx : sx + x1 - x0]
        mixed += self.premul[sy : sy + y1 - y0, sx : sx + x1 - x0]
        mixed += 127
        mixed //= 255
        region[...] = mixed


def _load_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    if not path.is_file():
        raise FontNotFoundError(
            f"overlay font not found: {path}. Install the Debian package fonts-noto-cjk "
            "(apt-get install fonts-noto-cjk) or pass Overlay(font_path=...) pointing at a CJK-capable font."
        )
    index = SC_FACE if path.suffix.lower() == ".ttc" else 0
    return ImageFont.truetype(str(path), size, index=index)


def wrap_text(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Greedy line wrapping: CJK breaks between characters, other scripts at spaces; keeps ``\\n``."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _TOKEN.findall(paragraph):
            candidate = line + token
            if (
                not line
                or font.getlength(candidate.rstrip()) <= max_width
                or token[0] in _NO_LINE_START
            ):
                line = candidate
                continue
            lines.append(line.rstrip())
            line = token.lstrip()
            # A single word wider than the line: cut it by characters.
            while font.getlength(line.rstrip()) > max_width and len(line) > 1:
                cut = len(line) - 1
                while cut > 1 and font.getlength(line[:cut]) > max_width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line.rstrip())
    return [line for line in lines if line] or [""]


class Overlay:
    """Draws captions, the AI-generated label and credits onto (H, W, 3) uint8 RGB frames.

    Text sizes scale with the frame's short side (the height of a 16:9 frame, the width of a
    9:16 one), so one layout reads the same on both. Rendered text is cached as sprites keyed
    by text and size: a caption held on screen costs one numpy blend per frame.
    """

    def __init__(
        self,
        width: int,
        height: int,
        font_path: str | os.PathLike[str] | None = None,
        *,
        label: str | None = AI_LABEL,
        bold_font_path: str | os.PathLike[str] | None = None,
    ) -> None:
        self.width, self.height = width, height
        self.portrait = height > width
        self.label_text = label  # drawn by draw() on every frame; None turns it off
        self.font_path = Path(font_path) if font_path is not None else DEFAULT_FONT
        if bold_font_path is not None:
            self.bold_font_path = Path(bold_font_path)
        elif font_path is None and DEFAULT_BOLD_FONT.is_file():
            self.bold_font_path = DEFAULT_BOLD_FONT
        else:
            self.bold_font_path = self.font_path
        _load_font(self.font_path, 12)  # fail now, with the package name, not mid-render
        short = min(width, height)
        self.caption_size = max(10, round(0.052 * short))
        self.label_size = max(8, round(0.026 * short))
        self.credits_size = max(8, round(0.026 * short))
        self.margin = max(4, round(0.03 * short))
        self._fonts: dict[tuple[Path, int], ImageFont.FreeTypeFont] = {}
        self._sprites: OrderedDict[tuple[str, str, int], Sprite] = OrderedDict()

    # -- public drawing --------------------------------------------------------------------
    def draw(
        self, frame: np.ndarray, caption: str | None = None, credits: list[str] | None = None
    ) -> np.ndarray:
        """Everything for one frame: the label (unless disabled), then credits and caption if given."""
        frame = self._writable(frame)
        if self.label_text:
            self.label(frame, self.label_text)
        if credits:
            self.credits(frame, credits)
        if caption:
            self.caption(frame, caption)
        return frame

    def caption(self, frame: np.ndarray, text: str) -> np.ndarray:
        """Draw ``text`` centred in the lower third: wrapped, on a translucent box, outlined glyphs."""
        frame = self._writable(frame)
        sprite = self._sprite("caption", text, self.caption_size)
        w, h = sprite.size
        top = max(self._caption_bottom() - h, (2 * self.height) // 3)
        sprite.blend(frame, (self.width - w) // 2, top)
        return frame

    def label(self, frame: np.ndarray, text: str | None = None) -> np.ndarray:
        """Draw the AI-generated label (or ``text``) in the top-right corner."""
        frame = self._writable(frame)
        sprite = self._sprite("label", text or AI_LABEL, self.label_size)
        w, _ = sprite.size
        top = round((0.05 if self.portrait else 0.03) * self.height)
        sprite.blend(frame, self.width - w - self.margin, top)
        return frame

    def credits(self, frame: np.ndarray, lines: list[str]) -> np.ndarray:
        """Draw a small credits strip (one entry per line) in the top-left corner."""
        frame = self._writable(frame)
        sprite = self._sprite("credits", "\n".join(lines), self.credits_size)
        top = round((0.05 if self.portrait else 0.03) * self.height)
        sprite.blend(frame, self.margin, top)
        return frame

    def text_image(self, text: str, size: int | None = None) -> np.ndarray:
        """Plain white text on transparency as (h, w, 4) uint8 RGBA, e.g. for titles on a cover."""
        font = self._font(self.bold_font_path, size or self.caption_size)
        left, top, right, bottom = font.getbbox(text)
        image = Image.new("RGBA", (max(1, right - left), max(1, bottom - top)), (0, 0, 0, 0))
        ImageDraw.Draw(image).text((-left, -top), text, font=font, fill=(255, 255, 255, 255))
        return np.asarray(image)

    # -- sprites -----------------------------------------------------------------------------
    def _sprite(self, kind: str, text: str, size: int) -> Sprite:
        key = (kind, text, size)
        sprite = self._sprites.get(key)
        if sprite is None:
            sprite = Sprite.from_rgba(self._render(kind, text, size))
            self._sprites[key] = sprite
            if len(self._sprites) > _CACHE_SIZE:
                self._sprites.popitem(last=False)
        else:
            self._sprites.move_to_end(key)
        return sprite

    def _render(self, kind: str, text: str, size: int) -> np.ndarray:
        if kind == "caption":
            return self._render_caption(text, size)
        font = self._font(self.font_path if kind == "credits" else self.bold_font_path, size)
        return _boxed(text.split("\n"), font, box=(0, 0, 0, 110), stroke=0)

    def _render_caption(self, text: str, size: int) -> np.ndarray:
        # Shrink long captions (down to 70 %) until they fit MAX_CAPTION_LINES lines and the
        # space between the caption's bottom edge and the top of the lower third; then cut.
        max_width = (0.86 if self.portrait else 0.72) * self.width
        room = self._caption_bottom() - (2 * self.height) // 3
        for scale in (1.0, 0.9, 0.8, 0.7):
            font = self._font(self.bold_font_path, max(8, round(size * scale)))
            stroke = max(1, font.size // 14)
            lines = wrap_text(text, font, max_width - font.size - 2 * stroke)
            image = _boxed(lines[:MAX_CAPTION_LINES], font, box=(0, 0, 0, 140), stroke=stroke)
            if len(lines) <= MAX_CAPTION_LINES and image.shape[0] <= room:
                return image
        keep = max(1, min(MAX_CAPTION_LINES, len(lines)))
        while (
            keep > 1
            and _boxed(lines[:keep], font, box=(0, 0, 0, 140), stroke=stroke).shape[0] > room
        ):
            keep -= 1
        lines = [*lines[: keep - 1], lines[keep - 1].rstrip("…") + "…"]
        return _boxed(lines, font, box=(0, 0, 0, 140), stroke=stroke)

    def _caption_bottom(self) -> int:
        # Portrait videos keep clear of the platform UI along the bottom (descriptions, buttons).
        return self.height - round((0.16 if self.portrait else 0.07) * self.height)

    def _font(self, path: Path, size: int) -> ImageFont.FreeTypeFont:
        font = self._fonts.get((path, size))
        if font is None:
            font = self._fonts[(path, size)] = _load_font(path, size)
        return font

    def _writable(self, frame: np.ndarray) -> np.ndarray:
        if (
            frame.dtype != np.uint8
            or frame.ndim != 3
            or frame.shape[:2] != (self.height, self.width)
        ):
            raise ValueError(
                f"expected a ({self.height}, {self.width}, 3) uint8 frame, got {frame.shape} {frame.dtype}"
            )
        return frame if frame.flags.writeable else frame.copy()


def _boxed(
    lines: list[str],
    font: ImageFont.FreeTypeFont,
    *,
    box: tuple[int, int, int, int],
    stroke: int,
) -> np.ndarray:
    """Centred white lines of text on a rounded translucent box, as (h, w, 4) uint8 RGBA."""
    size = font.size
    ascent, descent = font.getmetrics()
    line_height = round((ascent + descent) * 1.08)
    pad_x, pad_y = round(0.5 * size), round(0.25 * size)
    widths = [font.getlength(line) for line in lines]
    width = int(max(widths) + 2 * pad_x + 2 * stroke + 1)
    height = int(line_height * len(lines) + 2 * pad_y + 2 * stroke)
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=round(0.3 * size), fill=box)
    for row, (line, line_width) in enumerate(zip(lines, widths, strict=True)):
        x = (width - line_width) / 2
        y = pad_y + stroke + row * line_height
        draw.text(
            (x, y),
            line,
            font=font,
            fill=(255, 255, 255, 255),
            stroke_width=stroke,
            stroke_fill=(0, 0, 0, 255),
        )
    return np.asarray(image)
