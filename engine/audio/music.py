"""Procedural background music: seamless electric-piano-and-pad loops, written as AAC (.m4a) or Opus (.ogg).

Regenerate the project's loops (deterministic, byte for byte with the same PyAV):
    python -m engine.audio.music --preset calm -o assets/music/calm-keys.ogg

The project's loops use Opus in Ogg: it trims encoder padding exactly, so the decoded
loop is sample-exact (AAC pads the last 1024-sample frame, which leaves a gap at the seam).
"""

from __future__ import annotations

import argparse
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.audio.decode import MIX_RATE


@dataclass(slots=True, frozen=True)
class Preset:
    """A loop: tempo, one chord per bar (MIDI notes, bass first) and the keys' rhythm."""

    bpm: float
    chords: tuple[tuple[int, ...], ...]
    hits: tuple[tuple[float, float, int], ...]  # (beat, velocity, how many top chord notes; 0 = all)
    seed: int


PRESETS: dict[str, Preset] = {
    # 96 BPM, 8 bars of 4/4 = exactly 20 s; D major, Dmaj9 Bm7 Gmaj7 A7sus / Dmaj9 F#m7 Gmaj7 A9sus
    "calm": Preset(96.0, (
        (38, 54, 57, 61, 64), (35, 54, 57, 62, 66), (43, 54, 59, 62, 66), (33, 55, 59, 62, 64),
        (38, 54, 57, 61, 64), (42, 52, 57, 61, 64), (43, 54, 59, 62, 66), (33, 55, 59, 64, 71),
    ), ((0.0, 0.62, 0), (1.5, 0.38, 2), (2.5, 0.45, 3), (3.5, 0.33, 1)), seed=11),
    # 100 BPM, 8 bars = 19.2 s; F major, brighter eighth-note keys
    "morning": Preset(100.0, (
        (41, 57, 60, 64, 67), (45, 55, 60, 64, 67), (38, 57, 60, 65, 69), (46, 57, 62, 65, 69),
        (41, 57, 60, 64, 67), (45, 55, 60, 64, 67), (43, 58, 62, 65, 70), (36, 58, 62, 64, 67),
    ), ((0.0, 0.6, 0), (1.0, 0.3, 2), (1.5, 0.35, 1), (2.5, 0.42, 3), (3.0, 0.3, 2), (3.5, 0.32, 1)), seed=5),
}


def midi_hz(note: float) -> float:
    """Equal-tempered frequency of a MIDI note (A4 = 69 = 440 Hz)."""
    return 440.0 * 2.0 ** ((note - 69.0) / 12.0)


def _epiano(freq: float, velocity: float, length: int, rate: int) -> np.ndarray:
    """A Rhodes-like FM tone: a 1:1 modulator whose index decays, plus a short bell 'tine'."""
    t = np.arange(length) / rate
    index = (0.4 + 1.6 * velocity) * np.exp(-t / 0.45)
    body = np.sin(2 * np.pi * freq * t + index * np.sin(2 * np.pi * freq * t))
    tine = 0.12 * velocity * np.sin(2 * np.pi * min(freq * 7.0, 9000.0) * t) * np.exp(-t / 0.06)
    decay = np.exp(-t / (1.6 * (220.0 / freq) ** 0.3))
    attack = np.minimum(t / 0.004, 1.0)
    return (body + tine) * decay * attack * velocity


def _pad(freq: float, length: int, rate: int, detune_cents: float, phase: float) -> np.ndarray:
    """A soft additive saw (harmonics rolled off early) with a slow swell in and out."""
    t = np.arange(length) / rate
    f = freq * 2.0 ** (detune_cents / 1200.0)
    tone = np.zeros(length)
    for k in range(1, 7):
        tone += np.sin(2 * np.pi * k * f * t + phase * k) / k ** 1.6
    swell = np.sin(np.pi * np.clip(t / (length / rate), 0.0, 1.0)) ** 1.5
    return tone * swell


def _bass(freq: float, length: int, rate: int) -> np.ndarray:
    t = np.arange(length) / rate
    env = np.minimum(t / 0.01, 1.0) * np.exp(-t / 0.9)
    return (np.sin(2 * np.pi * freq * t) + 0.25 * np.sin(4 * np.pi * freq * t)) * env


def _add_circular(track: np.ndarray, start: int, sound: np.ndarray) -> None:
    """Add ``sound`` at ``start``, wrapping what runs past the end to the start (seamless loops)."""
    n = len(track)
    index = (start + np.arange(len(sound))) % n
    np.add.at(track, index, sound)


def _reverb(track: np.ndarray, rate: int, rng: np.random.Generator, seconds: float = 1.8) -> np.ndarray:
    """Circular convolution of each channel with a decaying noise tail (different per side: width)."""
    n = len(track)
    t = np.arange(int(seconds * rate)) / rate
    out = np.empty_like(track)
    for ch in range(track.shape[1]):
        ir = rng.standard_normal(len(t)) * np.exp(-t / 0.45) * np.minimum(t / 0.02, 1.0)
        ir /= np.sqrt(np.sum(ir**2))
        padded = np.zeros(n)
        padded[: len(ir)] = ir
        out[:, ch] = np.fft.irfft(np.fft.rfft(track[:, ch]) * np.fft.rfft(padded), n)
    return out


def synthesize(preset: str = "calm", rate: int = MIX_RATE) -> np.ndarray:
    """Render one seamless loop of ``preset`` as (n, 2) float32, peaking at -4 dBFS."""
    spec = PRESETS[preset]
    rng = np.random.default_rng(spec.seed)
    beat = 60.0 / spec.bpm
    bar = int(round(4 * beat * rate))
    n = bar * len(spec.chords)
    keys = np.zeros((n, 2))
    pad = np.zeros((n, 2))
    bass = np.zeros(n)
    for i, chord in enumerate(spec.chords):
        root, notes = chord[0], chord[1:]
        start = i * bar
        # the pad swells across two bars, so consecutive chords overlap instead of stepping
        for j, note in enumerate(notes):
            for side, cents in ((0, -7.0), (1, 7.0)):
                voice = _pad(midi_hz(note), 2 * bar, rate, cents * (1 + 0.2 * j), float(rng.uniform(0, 2 * np.pi)))
                _add_circular(pad[:, side], start - bar // 2, voice * 0.06)
        for beat_at in (0.0, 2.0):
            _add_circular(bass, start + int(beat_at * beat * rate), _bass(midi_hz(root), int(1.8 * beat * rate), rate))
        for beat_at, velocity, top in spec.hits:
            chosen = notes if top == 0 else notes[-top:]
            jitter = int(rng.integers(0, int(0.012 * rate)))  # a human, slightly loose hand
            for k, note in enumerate(chosen):
                vel = velocity * float(rng.uniform(0.85, 1.0))
                tone = _epiano(midi_hz(note), vel, int(2.5 * rate), rate)
                pan = 0.5 + 0.35 * ((note - 60) / 12.0)  # low notes a little left, high notes right
                at = start + int(beat_at * beat * rate) + jitter + k * int(0.006 * rate)  # a slight strum
                _add_circular(keys[:, 0], at, tone * math.cos(pan * math.pi / 2) * 0.22)
                _add_circular(keys[:, 1], at, tone * math.sin(pan * math.pi / 2) * 0.22)
    dry = keys + pad + 0.22 * bass[:, None]
    wet = _reverb(keys + pad, rate, rng)
    mix = dry + 0.35 * wet
    # gentle tilt: less upper-mid presence leaves room for speech (2-4 kHz) on top
    spectrum = np.fft.rfft(mix, axis=0)
    freqs = np.fft.rfftfreq(n, 1.0 / rate)
    spectrum *= (1.0 / np.sqrt(1.0 + (freqs / 3500.0) ** 2))[:, None]
    mix = np.fft.irfft(spectrum, n, axis=0)
    mix *= 10 ** (-4 / 20) / np.max(np.abs(mix))
    return mix.astype(np.float32)


def write_music(samples: np.ndarray, path: Path | str, rate: int = MIX_RATE, bitrate: int = 96000) -> Path:
    """Encode (n, 2) float32 audio to .m4a (AAC) or .ogg (Opus), reproducibly, via a temp file."""
    import av

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".m4a", ".ogg"):
        raise ValueError(f"{path}: write .m4a or .ogg")
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp{suffix}")
    codec, fmt = ("aac", "fltp") if suffix == ".m4a" else ("libopus", "flt")
    try:
        # bitexact: no encoder version strings or timestamps, so reruns give identical bytes
        with av.open(str(temp), "w", format="ipod" if suffix == ".m4a" else "ogg",
                     options={"fflags": "+bitexact"}) as container:
            stream = container.add_stream(codec, rate=rate)
            stream.codec_context.layout = "stereo"
            stream.codec_context.bit_rate = bitrate
            stream.codec_context.flags |= av.codec.context.Flags.bitexact
            frame_size = 1024 if codec == "aac" else 960
            data = np.ascontiguousarray(samples.astype(np.float32))
            for offset in range(0, len(data), frame_size):
                chunk = data[offset:offset + frame_size]
                planar = fmt == "fltp"
                frame = av.AudioFrame.from_ndarray(chunk.T.copy() if planar else chunk.reshape(1, -1),
                                                   format=fmt, layout="stereo")
                frame.sample_rate = rate
                frame.pts = offset
                for packet in stream.encode(frame):
                    container.mux(packet)
            for packet in stream.encode(None):
                container.mux(packet)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path


def main(argv: list[str] | None = None) -> int:
    """CLI: synthesise a preset loop and write it."""
    parser = argparse.ArgumentParser(prog="python -m engine.audio.music", description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", required=True, help="output .m4a (AAC) or .ogg (Opus)")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="calm")
    parser.add_argument("--bitrate", type=int, default=96000, help="bits per second (default 96000)")
    args = parser.parse_args(argv)
    path = write_music(synthesize(args.preset), args.output, bitrate=args.bitrate)
    print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
