"""Sound decoding: WAV through scipy, compressed formats through PyAV, resampled to the mix rate."""

from __future__ import annotations

from math import gcd
from pathlib import Path

import numpy as np
from scipy.io import wavfile
from scipy.signal import resample_poly

MIX_RATE = 48000
# What PyAV decodes for us; WAV goes through scipy, which also reads the float
# WAVE_FORMAT_EXTENSIBLE (0xFFFE) files that OpenAL Soft's wave writer produces.
COMPRESSED = (".flac", ".mp3", ".ogg", ".opus", ".m4a", ".aac", ".mp4")
SUPPORTED = (".wav", *COMPRESSED)


class SoundError(Exception):
    """A sound file is missing, corrupt or of an unsupported format; the message names the file."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def resample(samples: np.ndarray, rate: int, target: int = MIX_RATE) -> np.ndarray:
    """Resample (n, channels) float32 audio from ``rate`` to ``target`` with a polyphase filter."""
    if rate == target or len(samples) == 0:
        return np.ascontiguousarray(samples, dtype=np.float32)
    if rate <= 0:
        raise ValueError(f"sample rate must be positive, not {rate}")
    common = gcd(int(rate), int(target))
    # resample_poly applies a Kaiser-windowed FIR anti-aliasing filter, far better than linear interpolation
    out = resample_poly(samples.astype(np.float64), target // common, int(rate) // common, axis=0)
    return np.ascontiguousarray(out, dtype=np.float32)


def _pcm_to_float(data: np.ndarray) -> np.ndarray:
    if data.dtype == np.uint8:
        return (data.astype(np.float32) - 128.0) / 128.0
    if data.dtype == np.int16:
        return data.astype(np.float32) / 32768.0
    if data.dtype == np.int32:  # scipy left-aligns 24-bit samples in int32
        return (data.astype(np.float64) / 2147483648.0).astype(np.float32)
    if data.dtype.kind == "f":
        return data.astype(np.float32)
    raise ValueError(f"unsupported sample type {data.dtype}")


def _load_wav(path: Path) -> tuple[np.ndarray, int]:
    try:
        rate, data = wavfile.read(path, mmap=False)
        samples = _pcm_to_float(np.asarray(data))
    except (ValueError, EOFError, OSError) as error:
        raise SoundError(path, f"not a readable WAV file ({error})") from None
    if samples.ndim == 1:
        samples = samples[:, None]
    return samples, int(rate)


def _load_av(path: Path) -> tuple[np.ndarray, int]:
    import av  # PyAV is heavy to import; only compressed sounds need it

    try:
        container = av.open(str(path))
    except av.error.FFmpegError as error:
        raise SoundError(path, f"cannot open ({error})") from None
    with container:
        if not container.streams.audio:
            raise SoundError(path, "has no audio stream")
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate or stream.rate
        channels = stream.codec_context.channels
        # packed float at the native rate; the (better) resampling to 48 kHz happens in numpy
        layout = "mono" if channels == 1 else "stereo"
        converter = av.AudioResampler(format="flt", layout=layout, rate=rate)
        chunks: list[np.ndarray] = []
        try:
            for frame in container.decode(stream):
                for out in converter.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1, out.layout.nb_channels))
            for out in converter.resample(None):
                chunks.append(out.to_ndarray().reshape(-1, out.layout.nb_channels))
        except av.error.FFmpegError as error:
            raise SoundError(path, f"corrupt audio data ({error})") from None
    if not chunks or not rate:
        raise SoundError(path, "contains no decodable audio")
    return np.concatenate(chunks).astype(np.float32, copy=False), int(rate)


def load_sound(path: Path | str, rate: int = MIX_RATE) -> tuple[np.ndarray, int]:
    """Decode ``path`` to float32 samples of shape (n, channels) resampled to ``rate``.

    WAV (PCM 8/16/24/32-bit and float, incl. WAVE_FORMAT_EXTENSIBLE) is read with
    scipy; FLAC, MP3, OGG (Vorbis/Opus) and M4A/AAC with PyAV. More than two channels
    are downmixed to stereo. Raises :class:`SoundError` naming the file when it is
    missing, unreadable, corrupt, empty or of an unsupported type.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise SoundError(path, f"unsupported sound type {suffix or '(none)'}; use one of {', '.join(SUPPORTED)}")
    if not path.is_file():
        raise SoundError(path, "file not found")
    samples, native = _load_wav(path) if suffix == ".wav" else _load_av(path)
    if samples.shape[0] == 0:
        raise SoundError(path, "contains no audio samples")
    if samples.shape[1] > 2:
        samples = samples[:, :2]
    if not np.all(np.isfinite(samples)):
        raise SoundError(path, "contains NaN or infinite samples")
    return resample(samples, native, rate), rate
