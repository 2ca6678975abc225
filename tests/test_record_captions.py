"""CaptionTrack + SRT, cover JPEG, metadata tags: exact formats and atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.record import CaptionTrack, video_metadata, write_cover
from engine.record.captions import srt_timestamp
from engine.record.metadata import AI_LABEL, produce_id


def test_srt_is_exact() -> None:
    track = CaptionTrack()
    track.add(4.0, 5.25, "Second  \r\n\n line two")
    track.add(1.5, 3.0, "你好，世界")
    assert track.to_srt() == (
        "1\n00:00:01,500 --> 00:00:03,000\n你好，世界\n"
        "\n"
        "2\n00:00:04,000 --> 00:00:05,250\nSecond\nline two\n"
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "00:00:00,000"),
        (1.5, "00:00:01,500"),
        (59.9996, "00:01:00,000"),
        (3723.004, "01:02:03,004"),
    ],
)
def test_srt_timestamps(seconds: float, text: str) -> None:
    assert srt_timestamp(seconds) == text


def test_active_at_boundaries_and_overlap() -> None:
    track = CaptionTrack()
    track.add(1.0, 2.0, "a")
    track.add(1.5, 3.0, "b")
    assert [track.active_at(t) for t in (0.99, 1.0, 1.49, 1.5, 2.5, 3.0)] == [
        None,
        "a",
        "a",
        "b",
        "b",
        None,
    ]
    assert track.end == 3.0 and len(track) == 2


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [(2, 1, "x"), (1, 1, "x"), (-1, 1, "x"), (0, float("nan"), "x"), (0, 1, " \n ")],
)
def test_invalid_cues_are_rejected(start: float, end: float, text: str) -> None:
    with pytest.raises(ValueError):
        CaptionTrack().add(start, end, text)


def test_write_srt_is_atomic_utf8(tmp_path: Path) -> None:
    path = tmp_path / "out.srt"
    path.write_text("old", encoding="utf-8")
    track = CaptionTrack()
    track.add(0, 1, "机场")
    assert track.write_srt(path) == path
    assert path.read_bytes() == track.to_srt().encode("utf-8")
    assert list(tmp_path.iterdir()) == [path]


def test_write_srt_failure_keeps_old_file(tmp_path: Path) -> None:
    path = tmp_path / "out.srt"
    path.write_text("old", encoding="utf-8")
    track = CaptionTrack()
    track.add(0, 1, "x")
    track.cues[0] = None  # type: ignore[call-overload]  # corrupt: to_srt fails before writing
    with pytest.raises(AttributeError):
        track.write_srt(path)
    assert path.read_text(encoding="utf-8") == "old" and list(tmp_path.iterdir()) == [path]


def test_cover_is_a_valid_jpeg_of_the_frame_size(tmp_path: Path) -> None:
    frame = np.zeros((320, 180, 3), np.uint8)
    frame[:, :, 0] = np.linspace(0, 255, 180, dtype=np.uint8)
    path = write_cover(frame, tmp_path / "cover.jpg")
    assert path.read_bytes()[:3] == b"\xff\xd8\xff"
    with Image.open(path) as image:
        assert (image.format, image.size, image.mode) == ("JPEG", (180, 320), "RGB")
        assert np.abs(np.asarray(image).astype(int) - frame).mean() < 3
    assert list(tmp_path.iterdir()) == [path]
    assert write_cover(frame, tmp_path / "again.jpg").read_bytes() == path.read_bytes(), (
        "deterministic"
    )
    with pytest.raises(ValueError):
        write_cover(frame.astype(np.float32), tmp_path / "bad.jpg")


def test_metadata_marks_video_as_ai_generated() -> None:
    tags = video_metadata("news", "Evening news", 42, generator="Persona 9.9")
    assert tags["software"] == tags["generator"] == "Persona 9.9"
    assert tags["synthetic"] == tags["ai_generated"] == "true"
    assert AI_LABEL in tags["comment"] and AI_LABEL in tags["description"]
    aigc = json.loads(tags["AIGC"])
    assert aigc == {
        "Label": "1",
        "ContentProducer": "Persona",
        "ProduceID": produce_id("news", 42),
        "ReservedCode1": "",
        "ContentPropagator": "",
        "PropagateID": "",
        "ReservedCode2": "",
    }
    assert produce_id("news", 42) == produce_id("news", 42) != produce_id("news", 43)
    assert "creation_time" not in tags and "encoder" not in tags
    assert all(isinstance(value, str) for value in tags.values())
