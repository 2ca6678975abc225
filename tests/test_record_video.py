"""VideoWriter: real MP4s decoded back with PyAV (streams, timing, audio, metadata, atomicity, determinism)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from engine.record import VideoWriter, decode_summary, read_frame, video_metadata
from engine.record.metadata import produce_id

RATE = 48000


def sine(n: int, freq: float = 440.0, amp: float = 0.5, start: int = 0) -> np.ndarray:
    """(n, 2) float32 stereo sine."""
    t = (np.arange(n) + start) / RATE
    mono = (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.stack([mono, mono], axis=1)


def frames(n: int, width: int, height: int) -> list[np.ndarray]:
    """Moving gradients: deterministic, compressible, different every frame."""
    yy, xx = np.mgrid[0:height, 0:width]
    return [
        np.stack([(xx * 3 + i * 5) % 256, (yy * 2 + i * 3) % 256, (xx + yy) % 256], -1).astype(
            np.uint8
        )
        for i in range(n)
    ]


def encode(
    path: Path, width: int = 96, height: int = 160, fps: float = 30, n: int = 45, **kwargs
) -> Path:
    """Encode ``n`` frames with a matching sine soundtrack, fed per frame as the recorder does."""
    per_frame = RATE / fps
    with VideoWriter(path, width, height, fps, **kwargs) as writer:
        written = 0
        for i, frame in enumerate(frames(n, width, height)):
            writer.write_video(frame)
            target = round((i + 1) * per_frame)
            writer.write_audio(sine(target - written, start=written))
            written = target
    return path


@pytest.mark.parametrize(("width", "height", "fps"), [(96, 160, 30), (160, 96, 25)])
def test_streams_size_fps_and_duration(tmp_path: Path, width: int, height: int, fps: float) -> None:
    path = encode(tmp_path / "out.mp4", width, height, fps, n=40)
    info = decode_summary(path)
    video, audio = info["video"], info["audio"]
    assert info["faststart"], "moov must precede mdat (+faststart)"
    assert (video["codec"], video["profile"], video["pix_fmt"]) == ("h264", "High", "yuv420p")
    assert (video["width"], video["height"]) == (width, height)
    assert video["fps"] == pytest.approx(fps)
    assert video["frames"] == 40
    assert info["duration_s"] == pytest.approx(40 / fps, abs=1 / fps)
    assert (audio["codec"], audio["sample_rate"], audio["channels"]) == ("aac", RATE, 2)
    assert audio["samples"] == round(40 / fps * RATE)
    assert audio["rms"] == pytest.approx(0.5 / np.sqrt(2), rel=0.1), "the sine must survive AAC"
    assert list(tmp_path.iterdir()) == [path], "no temp file may be left behind"


def test_audio_is_sample_accurate_with_odd_chunks(tmp_path: Path) -> None:
    path = tmp_path / "odd.mp4"
    with VideoWriter(path, 64, 64, 30) as writer:
        for frame in frames(30, 64, 64):
            writer.write_video(frame)
        written = 0
        for size in (1, 999, 1024, 1025, 7, 50_000):  # longer than the video: kept whole
            writer.write_audio(sine(size, start=written))
            written += size
    assert decode_summary(path)["audio"]["samples"] == written == 53_056


def test_missing_audio_is_padded_with_silence(tmp_path: Path) -> None:
    path = tmp_path / "silent.mp4"
    with VideoWriter(path, 64, 64, 30) as writer:
        for frame in frames(15, 64, 64):
            writer.write_video(frame)
    audio = decode_summary(path)["audio"]
    assert audio["samples"] == RATE // 2
    assert audio["rms"] == 0.0


def test_colour_survives_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "colour.mp4"
    with VideoWriter(path, 64, 64, 30) as writer:
        for _ in range(3):
            writer.write_video(np.full((64, 64, 3), (200, 40, 90), np.uint8))
    decoded = read_frame(path, 1)
    assert decoded.shape == (64, 64, 3)
    assert np.abs(decoded[32, 32].astype(int) - (200, 40, 90)).max() <= 3, (
        "BT.709 flags must match the conversion"
    )
    assert decode_summary(path)["video"]["color_space"] == 1  # AVCOL_SPC_BT709


def test_metadata_survives_in_mp4(tmp_path: Path) -> None:
    tags = video_metadata("airport_guide", "机场向导 Airport guide", seed=7)
    path = encode(tmp_path / "meta.mp4", n=6, metadata=tags)
    read = decode_summary(path)["metadata"]
    for key in (
        "title",
        "comment",
        "description",
        "software",
        "generator",
        "synthetic",
        "ai_generated",
        "AIGC",
    ):
        assert read[key] == tags[key], key
    aigc = json.loads(read["AIGC"])
    assert aigc["Label"] == "1" and aigc["ContentProducer"] == "Persona"
    assert aigc["ProduceID"] == produce_id("airport_guide", 7)
    assert "AI-generated" in read["comment"] and "AI生成" in read["description"]
    # The muxer owns "encoder" and bitexact mode drops it; no wall-clock time is written.
    assert "encoder" not in read and "creation_time" not in read


def test_creation_time_only_when_given(tmp_path: Path) -> None:
    tags = video_metadata("s", "t", 1, creation_time="2025-01-02T03:04:05Z")
    path = encode(tmp_path / "dated.mp4", n=3, metadata=tags)
    assert decode_summary(path)["metadata"]["creation_time"].startswith("2025-01-02T03:04:05")


def test_identical_inputs_give_identical_bytes(tmp_path: Path) -> None:
    tags = video_metadata("s", "t", 3)
    first = encode(tmp_path / "a.mp4", n=20, metadata=tags).read_bytes()
    time.sleep(1.1)  # a wall-clock timestamp anywhere in the file would now differ
    second = encode(tmp_path / "b.mp4", n=20, metadata=tags).read_bytes()
    assert first == second


ENCODE_SCRIPT = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from test_record_video import encode
encode(Path(sys.argv[1]), n=20)
"""


def test_bytes_do_not_depend_on_heap_garbage(tmp_path: Path) -> None:
    """x264's MB-tree asm read uninitialised memory; MALLOC_PERTURB_ fills the heap differently."""
    outputs = []
    for perturb in ("3", "170"):
        out = tmp_path / f"p{perturb}.mp4"
        env = {**os.environ, "MALLOC_PERTURB_": perturb}
        subprocess.run(
            [sys.executable, "-c", ENCODE_SCRIPT, str(out), str(Path(__file__).parent)],
            check=True,
            env=env,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_abort_leaves_nothing(tmp_path: Path) -> None:
    writer = VideoWriter(tmp_path / "x.mp4", 64, 64, 30)
    for frame in frames(40, 64, 64):  # enough for x264 to emit packets, so the temp file exists
        writer.write_video(frame)
    assert writer.temp_path.exists() and not writer.path.exists()
    writer.abort()
    writer.abort()  # idempotent
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RuntimeError, match="closed"):
        writer.write_video(frames(1, 64, 64)[0])


def test_exception_in_with_block_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(KeyError), VideoWriter(tmp_path / "x.mp4", 64, 64, 30) as writer:
        for frame in frames(5, 64, 64):
            writer.write_video(frame)
        writer.write_audio(sine(4000))
        raise KeyError("render failed")
    assert list(tmp_path.iterdir()) == []


def test_existing_file_untouched_on_abort(tmp_path: Path) -> None:
    path = encode(tmp_path / "keep.mp4", n=3)
    before = path.read_bytes()
    with pytest.raises(ValueError), VideoWriter(path, 64, 64, 30) as writer:
        writer.write_video(np.zeros((10, 10, 3), np.uint8))  # wrong size
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


def test_close_without_frames_fails_cleanly(tmp_path: Path) -> None:
    writer = VideoWriter(tmp_path / "empty.mp4", 64, 64, 30)
    with pytest.raises(ValueError, match="no video frames"):
        writer.close()
    assert list(tmp_path.iterdir()) == []


def test_invalid_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="even"):
        VideoWriter(tmp_path / "odd.mp4", 63, 64, 30)
    with VideoWriter(tmp_path / "v.mp4", 64, 64, 30) as writer:
        with pytest.raises(ValueError, match="uint8"):
            writer.write_video(np.zeros((64, 64, 3), np.float32))
        with pytest.raises(ValueError, match="audio"):
            writer.write_audio(np.zeros((10, 3), np.float32))
        with pytest.raises(ValueError, match="NaN"):
            writer.write_audio(np.full((10, 2), np.nan, np.float32))
        writer.write_video(np.zeros((64, 64, 4), np.uint8))  # RGBA: alpha ignored
    assert list(tmp_path.iterdir()) == [tmp_path / "v.mp4"]


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["veryfast", "faster", "fast"])
def test_encode_speed_1080x1920(
    tmp_path: Path, preset: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Measures (never asserts) encode cost per frame at 1080x1920, CRF 20; run with -s to see it."""
    width, height, n = 1080, 1920, 30
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    noise = np.random.default_rng(0).normal(0, 3, (height, width, 1)).astype(np.float32)
    images = []
    for i in range(n):  # a soft gradient set with a moving figure: closer to a render than noise
        image = np.stack(
            [60 + 80 * yy / height, 70 + 60 * xx / width, 120 + 40 * np.sin(yy / 200 + i * 0.05)],
            -1,
        )
        inside = ((xx - width / 2 - 100 * np.sin(i * 0.1)) / 260) ** 2 + (
            (yy - 0.45 * height) / 600
        ) ** 2 < 1
        image[inside] = (220, 180, 160)
        images.append(np.clip(image + noise, 0, 255).astype(np.uint8))
    writer = VideoWriter(tmp_path / f"{preset}.mp4", width, height, 30, crf=20, preset=preset)
    for image in images:
        writer.write_video(image)
    writer.close()
    with capsys.disabled():
        print(f"\n{preset}: {writer.encode_s / n * 1000:.1f} ms/frame at 1080x1920 CRF 20")
    assert decode_summary(writer.path)["video"]["frames"] == n
