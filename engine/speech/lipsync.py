"""Audio-driven lip sync for recorded voice, no transcript needed.

Per frame (default 60 fps, 2-hop Hann window): RMS level in dB, and the first two
formants from a 10th-order LPC fit of the 11.025 kHz signal.  The level drives how
open the mouth is, behind an energy gate with hysteresis (open above floor + 35 % of
the floor-to-loud range, close below 20 %, hold 80 ms) so it shuts in pauses; the
formants pick the shape: (F1, F2) is softly assigned to the nearest vowel prototype
(aa 750/1250 Hz, ee 500/1900, ih 320/2300, oh 500/900, ou 330/850).  Frames dominated by
energy above 3 kHz (s, sh, f) get a narrow ``ih``.  A short Gaussian smooths the result.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.linalg import solve_toeplitz
from scipy.ndimage import gaussian_filter1d

from engine.audio.decode import SoundError, load_sound, resample
from engine.speech.visemes import CHANNELS, VISEMES, VisemeTrack

__all__ = ["lipsync_from_audio", "lipsync_from_file", "SoundError"]

_ANALYSIS_RATE = 11025
_PROTOTYPES = {"aa": (750.0, 1250.0), "ee": (500.0, 1900.0), "ih": (320.0, 2300.0),
               "oh": (500.0, 900.0), "ou": (330.0, 850.0)}
_ORDER = 10


def _formants(frame: np.ndarray) -> tuple[float, float] | None:
    x = frame * np.hanning(len(frame))
    x = np.append(x[0], x[1:] - 0.63 * x[:-1])  # pre-emphasis
    r = np.correlate(x, x, "full")[len(x) - 1: len(x) + _ORDER]
    if r[0] <= 1e-12:
        return None
    r[0] *= 1.0 + 1e-6
    try:
        a = solve_toeplitz(r[:_ORDER], -r[1:_ORDER + 1])
    except (np.linalg.LinAlgError, ValueError):
        return None
    roots = np.roots(np.concatenate([[1.0], a]))
    roots = roots[np.imag(roots) > 0.01]
    freqs = np.angle(roots) * _ANALYSIS_RATE / (2 * np.pi)
    bws = -np.log(np.abs(roots)) * _ANALYSIS_RATE / np.pi
    cand = sorted(f for f, b in zip(freqs, bws, strict=False) if 200.0 < f < 3500.0 and b < 500.0)
    if len(cand) < 2:
        return None
    return cand[0], cand[1]


def _gate(level: np.ndarray, on: float, off: float, hold: int) -> np.ndarray:
    out = np.zeros(len(level), dtype=bool)
    open_, below = False, 0
    for i, v in enumerate(level):
        if not open_ and v >= on:
            open_, below = True, 0
        elif open_:
            below = below + 1 if v < off else 0
            if below > hold:
                open_ = False
        out[i] = open_
    return out


def lipsync_from_audio(samples: np.ndarray, rate: int, fps: float = 60) -> VisemeTrack:
    """Viseme track for ``samples`` ((n,) or (n, channels) float) at ``rate`` Hz."""
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 2:
        x = x.mean(axis=1)
    if x.ndim != 1 or rate <= 0 or fps <= 0:
        raise ValueError("lipsync_from_audio wants mono or (n, channels) samples and positive rate and fps")
    duration = len(x) / float(rate)
    y = resample(x[:, None], int(rate), _ANALYSIS_RATE)[:, 0].astype(np.float64)
    n = int(np.ceil(duration * fps)) + 1
    hop = _ANALYSIS_RATE / fps
    win = int(2 * hop)
    pad = np.concatenate([np.zeros(win), y, np.zeros(2 * win)])
    level = np.full(n, -120.0)
    high = np.zeros(n)
    shapes = np.zeros((n, len(VISEMES)))
    spec_bins = np.fft.rfftfreq(win, 1.0 / _ANALYSIS_RATE)
    frames = []
    for i in range(n):
        c = int(round(i * hop)) + win  # window centred on the frame time
        frames.append(pad[c - win // 2: c - win // 2 + win])
    frames = np.array(frames)
    rms = np.sqrt(np.mean(frames ** 2, axis=1))
    level = 20 * np.log10(np.maximum(rms, 1e-6))
    spec = np.abs(np.fft.rfft(frames * np.hanning(win), axis=1)) ** 2
    high = spec[:, spec_bins > 3000].sum(axis=1) / np.maximum(spec.sum(axis=1), 1e-20)

    floor = np.percentile(level, 10)
    loud = np.percentile(level, 97)
    span = max(loud - floor, 1e-3)
    if loud < -60.0 or span < 6.0:  # silence or flat noise: the mouth stays closed
        return VisemeTrack(float(fps), duration, np.zeros((n, len(CHANNELS)), np.float32), CHANNELS, "audio")
    gate = _gate(level, floor + 0.35 * span, floor + 0.20 * span, hold=int(round(0.08 * fps)))
    open_ = np.clip((level - (floor + 0.20 * span)) / (0.75 * span), 0.0, 1.0) ** 0.8 * gate

    names = list(VISEMES)
    protos = np.array([_PROTOTYPES[v] for v in names])
    last = np.array([1.0, 0, 0, 0, 0])
    for i in range(n):
        if not gate[i]:
            continue
        if high[i] > 0.5:  # fricative: teeth together, lips spread a little
            shapes[i] = [0.0, 1.0, 0.0, 0.0, 0.0]
            continue
        f = _formants(frames[i])
        if f is None:
            shapes[i] = last
            continue
        d = ((np.log(f[0]) - np.log(protos[:, 0])) / 0.25) ** 2 + ((np.log(f[1]) - np.log(protos[:, 1])) / 0.3) ** 2
        w = np.exp(-0.5 * (d - d.min()))
        shapes[i] = last = w / w.max()
    shapes = gaussian_filter1d(shapes, 1.0, axis=0)
    vow = shapes / np.maximum(shapes.max(axis=1, keepdims=True), 1e-9) * open_[:, None]
    out = np.zeros((n, len(CHANNELS)))
    out[:, : len(VISEMES)] = gaussian_filter1d(vow, 1.0, axis=0)
    # closed/teeth stay 0: from audio alone a p/b/m closure is indistinguishable from a short pause
    return VisemeTrack(float(fps), duration, np.clip(out, 0, 1).astype(np.float32), CHANNELS, "audio")


def lipsync_from_file(path: Path | str, fps: float = 60) -> VisemeTrack:
    """Load WAV/MP3/M4A/... with :func:`engine.audio.load_sound`; :class:`SoundError` names a bad file."""
    samples, rate = load_sound(path)
    return lipsync_from_audio(samples, rate, fps)
