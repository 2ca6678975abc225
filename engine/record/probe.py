"""Inspect MP4 files with PyAV: streams, size, fps, durations, audio level, metadata (for tests and checks)."""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Any

import av
import numpy as np


def _top_level_boxes(path: Path) -> list[str]:
    """The ISO-BMFF top-level box types in file order (ftyp, moov, mdat, ...)."""
    boxes: list[str] = []
    size_total = path.stat().st_size
    with open(path, "rb") as handle:
        offset = 0
        while offset + 8 <= size_total:
            handle.seek(offset)
            size, kind = struct.unpack(">I4s", handle.read(8))
            if size == 1:
                size = struct.unpack(">Q", handle.read(8))[0]
            elif size == 0:
                size = size_total - offset
            boxes.append(kind.decode("latin-1"))
            if size < 8:
                break
            offset += size
    return boxes


def decode_summary(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Describe a media file. Video frames are counted from packets (not decoded); audio is decoded.

    Keys: path, size_bytes, format, duration_s, faststart (moov before mdat), metadata (container
    tags), video (None or codec, profile, width, height, pix_fmt, fps, frames, duration_s,
    color_space) and audio (None or codec, profile, sample_rate, channels, samples (the muxed
    sample count: packet durations, encoder priming excluded), duration_s, rms, peak).
    """
    path = Path(path)
    summary: dict[str, Any] = {"path": str(path), "size_bytes": path.stat().st_size}
    boxes = _top_level_boxes(path)
    summary["faststart"] = (
        "moov" in boxes and "mdat" in boxes and boxes.index("moov") < boxes.index("mdat")
    )
    with av.open(str(path)) as container:
        summary["format"] = container.format.name
        summary["duration_s"] = container.duration / 1e6 if container.duration is not None else None
        summary["metadata"] = dict(container.metadata)
        summary["video"] = _video(container)
    with av.open(str(path)) as container:
        summary["audio"] = _audio(container)
    return summary


def _video(container: av.container.InputContainer) -> dict[str, Any] | None:
    if not container.streams.video:
        return None
    stream = container.streams.video[0]
    cc = stream.codec_context
    frames = sum(1 for packet in container.demux(stream) if packet.size)
    fps = float(stream.average_rate) if stream.average_rate else None
    return {
        "codec": cc.name,
        "profile": cc.profile,
        "width": cc.width,
        "height": cc.height,
        "pix_fmt": cc.pix_fmt,
        "fps": fps,
        "frames": frames,
        "duration_s": frames / fps if fps else None,
        "color_space": cc.colorspace,
        "metadata": dict(stream.metadata),
    }


def _audio(container: av.container.InputContainer) -> dict[str, Any] | None:
    if not container.streams.audio:
        return None
    stream = container.streams.audio[0]
    cc = stream.codec_context
    rate = cc.sample_rate
    # Muxed length: packet durations at pts >= 0 (the AAC priming packet has a negative pts).
    samples = 0
    chunks: list[np.ndarray] = []
    for packet in container.demux(stream):
        if packet.size == 0:
            continue
        if packet.pts is not None and packet.pts >= 0 and packet.duration:
            samples += int(packet.duration * packet.time_base * rate)
        for frame in packet.decode():
            data = frame.to_ndarray()
            # Planar formats arrive as (channels, n); packed ones as (1, n * channels) interleaved.
            chunks.append(data if frame.format.is_planar else data.reshape(frame.samples, -1).T)
    pcm = (
        np.concatenate(chunks, axis=1)[:, :samples]
        if chunks
        else np.zeros((cc.channels, 0), np.float32)
    )
    if pcm.dtype.kind in "iu":
        pcm = pcm.astype(np.float64) / np.iinfo(pcm.dtype).max
    return {
        "codec": cc.name,
        "profile": cc.profile,
        "sample_rate": rate,
        "channels": cc.channels,
        "samples": samples,
        "duration_s": samples / rate if rate else None,
        "rms": float(np.sqrt(np.mean(np.square(pcm, dtype=np.float64)))) if pcm.size else 0.0,
        "peak": float(np.max(np.abs(pcm))) if pcm.size else 0.0,
        "metadata": dict(stream.metadata),
    }


def read_frame(path: str | os.PathLike[str], index: int = 0) -> np.ndarray:
    """Decode video frame ``index`` (0-based, in presentation order) as (H, W, 3) uint8 RGB."""
    with av.open(str(path)) as container:
        for number, frame in enumerate(container.decode(video=0)):
            if number == index:
                return frame.to_ndarray(format="rgb24")
    raise IndexError(f"{path} has no video frame {index}")
