"""Overlay: captions in the lower third, the AI label by default, CJK glyphs (not tofu), caching, MP4 round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.record import CaptionTrack, FontNotFoundError, Overlay, VideoWriter, read_frame
from engine.record.overlay import DEFAULT_FONT, MAX_CAPTION_LINES, wrap_text

pytestmark = pytest.mark.skipif(
    not DEFAULT_FONT.is_file(), reason="fonts-noto-cjk is not installed"
)

SIZES = [(180, 320), (320, 180)]  # 9:16 and 16:9 (width, height)


def grey(width: int, height: int) -> np.ndarray:
    return np.full((height, width, 3), 90, np.uint8)


def changed_rows(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    return np.nonzero((before != after).any(axis=(1, 2)))[0]


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_caption_changes_only_the_lower_third(width: int, height: int) -> None:
    overlay = Overlay(width, height, label=None)
    base = grey(width, height)
    for text in (
        "你好，欢迎光临！",
        "A much longer caption that has to wrap onto more than one line here 然后还有中文",
    ):
        drawn = overlay.draw(base.copy(), caption=text)
        rows = changed_rows(base, drawn)
        assert len(rows) > 0, "the caption must be visible"
        assert rows.min() >= (2 * height) // 3, (
            f"caption rows {rows.min()}..{rows.max()} leave the lower third"
        )
    assert np.array_equal(overlay.draw(base.copy()), base), "no caption, no label: frame untouched"


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_label_is_drawn_by_default_in_the_top_right(width: int, height: int) -> None:
    base = grey(width, height)
    drawn = Overlay(width, height).draw(base.copy())
    ys, xs = np.nonzero((drawn != base).any(axis=2))
    assert len(ys) > 0, "the AI-generated label must be on by default"
    assert ys.max() < height // 4 and xs.min() > width // 3


def test_credits_are_drawn_top_left() -> None:
    base = grey(320, 180)
    drawn = Overlay(320, 180, label=None).credits(base.copy(), ["Music: Persona", "Avatar: seed 7"])
    ys, xs = np.nonzero((drawn != base).any(axis=2))
    assert len(ys) > 0 and ys.max() < 180 // 2 and xs.min() < 320 // 4


def test_cjk_renders_real_glyphs_not_tofu() -> None:
    overlay = Overlay(320, 180)
    missing = overlay.text_image("\U000f0001", 32)  # private use: not in the font, drawn as .notdef
    images = [overlay.text_image(char, 32) for char in "你好世界生成"]
    for image in images:
        assert image[:, :, 3].max() == 255, "glyph has ink"
        assert image.shape != missing.shape or not np.array_equal(image, missing), (
            "glyph is the .notdef box"
        )
    assert len({image.tobytes() for image in images}) == len(images), (
        "every character has its own glyph"
    )


def test_wrapping_fits_and_respects_cjk_punctuation() -> None:
    overlay = Overlay(180, 320)
    font = overlay._font(overlay.bold_font_path, 20)
    text = (
        "欢迎来到首都国际机场，我是您的数字向导。Welcome to the airport terminal, please follow me."
    )
    lines = wrap_text(text, font, 150)
    assert len(lines) > 2
    assert all(
        font.getlength(line) <= 150 + font.size for line in lines
    )  # closing punctuation may hang
    assert not any(line[0] in "，。" for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_overlong_caption_is_shrunk_or_cut_but_stays_in_the_lower_third() -> None:
    overlay = Overlay(180, 320, label=None)
    base = grey(180, 320)
    drawn = overlay.caption(base.copy(), "很长的字幕" * 40)
    rows = changed_rows(base, drawn)
    assert rows.min() >= 320 * 2 // 3
    assert MAX_CAPTION_LINES == 3


def test_text_images_are_cached() -> None:
    overlay = Overlay(320, 180)
    calls = []
    original = overlay._render

    def counting(kind: str, text: str, size: int) -> np.ndarray:
        calls.append(text)
        return original(kind, text, size)

    overlay._render = counting  # type: ignore[method-assign]
    for _ in range(5):
        overlay.draw(grey(320, 180), caption="同一句字幕")
    assert sorted(calls) == sorted(["同一句字幕", overlay.label_text])


def test_read_only_frame_is_copied_not_mutated() -> None:
    base = grey(320, 180)
    base.flags.writeable = False
    drawn = Overlay(320, 180).draw(base)
    assert drawn is not base and (drawn != base).any() and (base == 90).all()


def test_missing_font_names_the_package(tmp_path: Path) -> None:
    with pytest.raises(FontNotFoundError, match="fonts-noto-cjk"):
        Overlay(320, 180, font_path=tmp_path / "nope.ttc")


def test_captions_survive_encoding_only_while_active(tmp_path: Path) -> None:
    width, height, fps = 180, 320, 10
    track = CaptionTrack()
    track.add(0.5, 1.0, "字幕 caption")
    overlay = Overlay(width, height, label=None)
    path = tmp_path / "captions.mp4"
    with VideoWriter(path, width, height, fps) as writer:
        for i in range(15):
            writer.write_video(overlay.draw(grey(width, height), caption=track.active_at(i / fps)))
    lower = slice((2 * height) // 3, height)
    for index, active in ((2, False), (7, True), (12, False)):
        frame = read_frame(path, index).astype(int)
        diff = np.abs(frame - 90).max(axis=2)
        assert diff[: height // 2].max() <= 8, "upper half unchanged"
        assert (diff[lower].max() > 60) == active, f"frame {index}: caption active={active}"
