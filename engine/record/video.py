"""MP4 writer: H.264 (libx264, High, yuv420p, CRF) + AAC stereo through PyAV, atomic and deterministic."""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np
from av.video.reformatter import VideoReformatter

# veryfast is the fastest preset whose quality/size is close to the slower ones at CRF 20
# (ultrafast/superfast disable CABAC-era tools and triple the bitrate); measured on
# 2 shared cores at 1080x1920 it leaves most of a 33 ms frame to rendering.
DEFAULT_PRESET = "veryfast"
# One x264 thread: its output then cannot depend on thread timing under load (a two-thread
# encode once differed between two runs of the full test suite), and `persona render` encodes
# on a worker thread beside the renderer anyway (engine/record/background.py), so a second
# x264 thread bought no throughput (measured: 0.40x vs 0.41x realtime for the demo).
DEFAULT_THREADS = 1
# BT.709 (ITU-R) colour, limited range: what players assume for HD video; flagged in the
# stream so nobody has to guess (the enum values are FFmpeg's AVCOL_* numbers).
_BT709 = 1
_RANGE_TV = 1


class VideoWriter:
    """Write RGB frames and float audio into an MP4 that appears under ``path`` only when complete.

    Use as a context manager: a clean exit calls :meth:`close` (encode, mux, ``+faststart``,
    rename into place); an exception calls :meth:`abort` (the temp file is deleted, nothing
    appears under ``path``). Identical inputs give byte-identical files: encoder threads are
    fixed, the muxer runs in bitexact mode and no wall-clock time is written (the MP4
    ``creation_time`` is only set when ``metadata`` carries one).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        width: int,
        height: int,
        fps: float | Fraction,
        crf: int = 20,
        audio_rate: int = 48000,
        audio_channels: int = 2,
        metadata: dict[str, str] | None = None,
        *,
        preset: str = DEFAULT_PRESET,
        threads: int = DEFAULT_THREADS,
        audio_bitrate: int = 192_000,
        gop_seconds: float = 2.0,
    ) -> None:
        if width <= 0 or height <= 0 or width % 2 or height % 2:
            raise ValueError(
                f"video size must be positive and even for yuv420p, got {width}x{height}"
            )
        if not 0 <= crf <= 51:
            raise ValueError(f"crf must be in 0..51, got {crf}")
        if audio_channels not in (1, 2):
            raise ValueError(f"audio_channels must be 1 or 2, got {audio_channels}")
        self.path = Path(path)
        self.width, self.height = width, height
        self.fps = Fraction(fps).limit_denominator(1001)
        if self.fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self.audio_rate, self.audio_channels = audio_rate, audio_channels
        self.frames_written = 0
        self.samples_written = 0
        self.encode_s = 0.0  # seconds spent converting + encoding + muxing (per-stage timing)
        self._closed = False
        # Hidden temp file in the target folder, so the final rename never crosses filesystems.
        self.temp_path = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex[:8]}.part")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # use_metadata_tags: keep every key (AIGC, software, ...) as mdta; without it the mov
        # muxer silently drops keys outside its iTunes/QuickTime list.
        self._container = av.open(
            str(self.temp_path),
            "w",
            format="mp4",
            options={
                "movflags": "+faststart+use_metadata_tags",
                "movie_timescale": str(audio_rate),
            },
        )
        try:
            self._setup(crf, preset, threads, audio_bitrate, gop_seconds, metadata or {})
        except BaseException:
            self.abort()
            raise

    def _setup(
        self,
        crf: int,
        preset: str,
        threads: int,
        audio_bitrate: int,
        gop_seconds: float,
        metadata: dict[str, str],
    ) -> None:
        container = self._container
        # bitexact: no "Lavf..." encoder string and no other build-dependent bytes.
        container.flags |= av.container.Flags.bitexact.value
        for key, value in metadata.items():
            container.metadata[str(key)] = str(value)
        video = container.add_stream("libx264", rate=self.fps)
        video.width, video.height, video.pix_fmt = self.width, self.height, "yuv420p"
        video.time_base = 1 / self.fps
        cc = video.codec_context
        cc.thread_count = threads
        cc.gop_size = max(1, round(float(self.fps) * gop_seconds))
        cc.colorspace = cc.color_primaries = cc.color_trc = _BT709
        cc.color_range = _RANGE_TV
        # Determinism: x264's MB-tree assembly reads uninitialised heap memory (encoding the same
        # frames under MALLOC_PERTURB_=3 vs 170 gave different bytes; mbtree=0 or asm=0 fixed it),
        # so MB-tree is off; costs a little compression at the same CRF. non-deterministic=0 keeps
        # frame threads repeatable (x264's default, stated so nobody flips it).
        video.options = {
            "crf": str(crf),
            "preset": preset,
            "profile": "high",
            "x264-params": "mbtree=0:non-deterministic=0",
        }
        self._video = video
        audio = container.add_stream(
            "aac", rate=self.audio_rate, layout="stereo" if self.audio_channels == 2 else "mono"
        )
        audio.bit_rate = audio_bitrate
        audio.options = {"flags": "+bitexact"}
        audio.time_base = Fraction(1, self.audio_rate)
        self._audio = audio
        self._reformatter = VideoReformatter()
        self._frame_size = 1024  # AAC-LC frame; chunking ourselves keeps pts exact
        self._pending = np.zeros((0, self.audio_channels), np.float32)

    # -- writing -------------------------------------------------------------------------
    def write_video(self, frame: np.ndarray) -> None:
        """Append one (H, W, 3) uint8 RGB frame (an RGBA frame's alpha is ignored)."""
        self._check_open()
        if (
            frame.dtype != np.uint8
            or frame.ndim != 3
            or frame.shape[:2] != (self.height, self.width)
        ):
            raise ValueError(
                f"expected a ({self.height}, {self.width}, 3) uint8 frame, got {frame.shape} {frame.dtype}"
            )
        if frame.shape[2] == 4:
            frame = frame[:, :, :3]
        elif frame.shape[2] != 3:
            raise ValueError(f"expected 3 (RGB) or 4 (RGBA) channels, got {frame.shape[2]}")
        start = time.perf_counter()
        rgb = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
        yuv = self._reformatter.reformat(
            rgb,
            format="yuv420p",
            src_colorspace=_BT709,
            dst_colorspace=_BT709,
            dst_color_range=_RANGE_TV,
            threads=2,  # swscale output is identical for any thread count (checked)
        )
        yuv.pts = self.frames_written
        yuv.time_base = 1 / self.fps  # not stream.time_base: the muxer changes it at the header
        for packet in self._video.encode(yuv):
            self._container.mux(packet)
        self.frames_written += 1
        self.encode_s += time.perf_counter() - start

    def write_audio(self, samples: np.ndarray) -> None:
        """Append (n, channels) float samples in [-1, 1] (values outside are clipped); sample-accurate."""
        self._check_open()
        samples = np.asarray(samples, dtype=np.float32)
        if samples.ndim == 1 and self.audio_channels == 1:
            samples = samples[:, None]
        if samples.ndim != 2 or samples.shape[1] != self.audio_channels:
            raise ValueError(
                f"expected (n, {self.audio_channels}) audio samples, got {samples.shape}"
            )
        if not np.isfinite(samples).all():
            raise ValueError("audio samples contain NaN or infinity")
        start = time.perf_counter()
        self._pending = np.concatenate([self._pending, np.clip(samples, -1.0, 1.0)])
        full = len(self._pending) // self._frame_size * self._frame_size
        for offset in range(0, full, self._frame_size):
            self._encode_audio(self._pending[offset : offset + self._frame_size])
        self._pending = self._pending[full:]
        self.encode_s += time.perf_counter() - start

    def _encode_audio(self, chunk: np.ndarray) -> None:
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(chunk.T), format="fltp", layout=self._audio.layout.name
        )
        frame.sample_rate = self.audio_rate
        frame.pts = self.samples_written
        frame.time_base = Fraction(1, self.audio_rate)
        for packet in self._audio.encode(frame):
            self._container.mux(packet)
        self.samples_written += len(chunk)

    # -- finishing -----------------------------------------------------------------------
    @property
    def duration(self) -> float:
        """Seconds of video written so far."""
        return float(self.frames_written / self.fps)

    def close(self) -> Path:
        """Flush the encoders, finish the MP4 and move it to ``path``; returns the final path.

        Audio shorter than the video is padded with silence to the video's duration.
        Raises ValueError (and removes the temp file) when no video frame was written.
        """
        if self._closed:
            return self.path
        if self.frames_written == 0:
            self.abort()
            raise ValueError(f"no video frames written to {self.path}")
        try:
            start = time.perf_counter()
            # An audio track shorter than the video (or none at all) is padded with silence:
            # players and platforms expect an audio track that covers the whole video.
            missing = (
                round(self.duration * self.audio_rate) - self.samples_written - len(self._pending)
            )
            if missing > 0:
                self._pending = np.concatenate(
                    [self._pending, np.zeros((missing, self.audio_channels), np.float32)]
                )
            full = len(self._pending) // self._frame_size * self._frame_size
            for offset in range(0, full, self._frame_size):
                self._encode_audio(self._pending[offset : offset + self._frame_size])
            self._pending = self._pending[full:]
            if len(self._pending):
                # AAC accepts a short last frame; its packet duration keeps the exact sample count.
                self._encode_audio(self._pending)
                self._pending = self._pending[:0]
            for packet in self._video.encode(None):
                self._container.mux(packet)
            for packet in self._audio.encode(None):
                self._container.mux(packet)
            self._container.close()  # writes the trailer and moves moov to the front (faststart)
            self.encode_s += time.perf_counter() - start
            with open(self.temp_path, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(self.temp_path, self.path)
        except BaseException:
            self.abort()
            raise
        self._closed = True
        return self.path

    def abort(self) -> None:
        """Stop writing and delete the temp file; nothing is left under ``path``. Idempotent."""
        if self._closed:
            return
        self._closed = True
        # Closing may fail on a half-written stream; the file goes away regardless.
        with contextlib.suppress(Exception):
            self._container.close()
        with contextlib.suppress(FileNotFoundError):
            self.temp_path.unlink()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"VideoWriter for {self.path} is closed")

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
