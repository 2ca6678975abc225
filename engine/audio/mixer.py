"""The mixer interface and its pure-numpy reference: scheduled voices, 3D panning, ducking."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from engine.audio.decode import MIX_RATE, resample

TAGS = ("speech", "music", "effect")
# Inverse-distance-clamped attenuation, the OpenAL default model, so both backends agree.
REFERENCE_DISTANCE = 1.0
ROLLOFF = 1.0
MAX_DISTANCE = 1.0e6


@dataclass(slots=True, eq=False)
class Voice:
    """One playing sound: samples at the mix rate, where and how loud it plays, when it started."""

    id: int
    samples: np.ndarray  # (n, 1) when positioned or mono, (n, 2) for unpanned stereo
    volume: float
    loop: bool
    position: np.ndarray | None
    tag: str
    start: int  # absolute sample index of the voice's first sample
    gains: np.ndarray | None = None  # last (left, right) gains, to ramp smoothly when things move

    @property
    def end(self) -> float:
        """Absolute sample index just after the last sample (inf when looping)."""
        return math.inf if self.loop else self.start + len(self.samples)


@dataclass(slots=True)
class Listener:
    """Where the mix is heard from: position and an orthonormal forward/up frame."""

    position: np.ndarray = field(default_factory=lambda: np.zeros(3))
    forward: np.ndarray = field(default_factory=lambda: np.array([0.0, 0.0, -1.0]))
    up: np.ndarray = field(default_factory=lambda: np.array([0.0, 1.0, 0.0]))

    @property
    def right(self) -> np.ndarray:
        """The listener's right-hand direction."""
        return np.cross(self.forward, self.up)


@dataclass(slots=True)
class Ducking:
    """While a voice tagged ``trigger`` plays, voices tagged ``target`` are lowered by ``db``."""

    db: float = 0.0
    trigger: str = "speech"
    target: str = "music"
    attack_s: float = 0.08
    release_s: float = 0.4
    gain: float = 1.0  # current envelope value, carried across render calls


def distance_gain(distance: float) -> float:
    """Inverse distance clamped (OpenAL's default): 1 inside the reference distance, then 1/d."""
    d = min(max(distance, REFERENCE_DISTANCE), MAX_DISTANCE)
    return REFERENCE_DISTANCE / (REFERENCE_DISTANCE + ROLLOFF * (d - REFERENCE_DISTANCE))


def pan_gains(position: np.ndarray, listener: Listener) -> np.ndarray:
    """Equal-power (left, right) gains for a mono source at ``position``, with distance attenuation."""
    offset = np.asarray(position, dtype=np.float64) - listener.position
    distance = float(np.linalg.norm(offset))
    # the sine of the azimuth: -1 hard left, +1 hard right; a source on the listener is centred
    pan = float(np.dot(offset, listener.right)) / distance if distance > 1e-9 else 0.0
    theta = (min(max(pan, -1.0), 1.0) + 1.0) * math.pi / 4.0
    gain = distance_gain(distance)
    return np.array([math.cos(theta) * gain, math.sin(theta) * gain])


def _normalise(vector: np.ndarray, name: str) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float64).reshape(3)
    length = float(np.linalg.norm(v))
    if length < 1e-9:
        raise ValueError(f"listener {name} must not be zero")
    return v / length


class MixerBase:
    """Voice bookkeeping shared by the backends: ids, scheduling, listener and the ducking envelope.

    The timeline is counted in samples: ``now`` is the index of the next sample that
    ``render`` will produce. Backends implement ``render(n) -> (n, 2) float32``.
    """

    def __init__(self, rate: int = MIX_RATE) -> None:
        self.rate = int(rate)
        self.now = 0
        self.voices: dict[int, Voice] = {}
        self.listener = Listener()
        self.ducking = Ducking()
        self._next_id = 1

    # -- control --------------------------------------------------------------------
    def play(
        self,
        samples: np.ndarray,
        rate: int = MIX_RATE,
        *,
        volume: float = 1.0,
        loop: bool = False,
        position: np.ndarray | tuple[float, float, float] | None = None,
        start_sample: int | None = None,
        tag: str = "effect",
    ) -> int:
        """Schedule a sound and return its voice id.

        ``samples`` is (n,) or (n, channels) float audio at ``rate`` (resampled when it differs).
        ``position`` places a source in the world (panned and attenuated; stereo is downmixed);
        None plays it unpanned (music). ``start_sample`` is an absolute index on the mixer's
        timeline (None: the next rendered sample; a past index starts mid-sound, keeping sync).
        ``tag`` ("speech", "music", "effect") drives ducking.
        """
        if tag not in TAGS:
            raise ValueError(f"tag must be one of {TAGS}, not {tag!r}")
        data = np.asarray(samples, dtype=np.float32)
        data = data[:, None] if data.ndim == 1 else data[:, :2]
        if data.shape[0] == 0:
            raise ValueError("cannot play an empty sound")
        data = resample(data, rate, self.rate)
        if position is not None:
            data = data.mean(axis=1, keepdims=True, dtype=np.float32)
            position = np.asarray(position, dtype=np.float64).reshape(3).copy()
        voice = Voice(self._next_id, np.ascontiguousarray(data), float(volume), bool(loop), position, tag,
                      self.now if start_sample is None else int(start_sample))
        self._next_id += 1
        self.voices[voice.id] = voice
        self._started(voice)
        return voice.id

    def stop(self, voice: int) -> None:
        """Stop a voice now (no error if it already ended)."""
        if self.voices.pop(voice, None) is not None:
            self._stopped(voice)

    def stop_all(self) -> None:
        """Stop every voice."""
        for voice in list(self.voices):
            self.stop(voice)

    def playing(self, voice: int) -> bool:
        """Whether ``voice`` is scheduled or playing."""
        return voice in self.voices

    def set_position(self, voice: int, position: np.ndarray | tuple[float, float, float]) -> None:
        """Move a positioned voice (the gains ramp over the next rendered block)."""
        v = self.voices.get(voice)
        if v is not None and v.position is not None:
            v.position = np.asarray(position, dtype=np.float64).reshape(3).copy()
            self._moved(v)

    def set_listener(self, position: np.ndarray, forward: np.ndarray, up: np.ndarray) -> None:
        """Place the listener; ``forward`` and ``up`` are re-orthonormalised."""
        fwd = _normalise(forward, "forward")
        upv = np.asarray(up, dtype=np.float64).reshape(3)
        upv = _normalise(upv - np.dot(upv, fwd) * fwd, "up")
        self.listener = Listener(np.asarray(position, dtype=np.float64).reshape(3).copy(), fwd, upv)
        self._listener_moved()

    def duck(self, db: float, while_voices: str = "speech", *, target: str = "music",
             attack_s: float = 0.08, release_s: float = 0.4) -> None:
        """Lower ``target`` voices by ``db`` decibels while any ``while_voices`` voice plays (0: off)."""
        if db < 0 or attack_s <= 0 or release_s <= 0:
            raise ValueError("duck: db must be >= 0 and attack/release positive")
        self.ducking = Ducking(float(db), while_voices, target, attack_s, release_s, self.ducking.gain)

    def close(self) -> None:
        """Release backend resources."""
        self.stop_all()

    # -- shared rendering helpers -------------------------------------------------------
    def duck_envelope(self, n: int) -> np.ndarray:
        """Gain per sample for ducked voices over the next ``n`` samples (advances the envelope)."""
        duck = self.ducking
        floor = 10.0 ** (-duck.db / 20.0)
        active = np.zeros(n, dtype=bool)
        for voice in self.voices.values():
            if voice.tag == duck.trigger:
                a = max(voice.start - self.now, 0)
                b = min(voice.end - self.now, n)
                if b > a:
                    active[int(a):int(b)] = True
        if duck.db == 0.0 and duck.gain == 1.0:
            return np.ones(n, dtype=np.float32)
        envelope = np.empty(n, dtype=np.float64)
        down = (1.0 - floor) / max(duck.attack_s * self.rate, 1.0)
        up = (1.0 - floor) / max(duck.release_s * self.rate, 1.0)
        # a linear slew towards the target, segment by segment (the target only changes at voice edges)
        edges = np.flatnonzero(np.diff(active.astype(np.int8))) + 1
        gain = duck.gain
        for a, b in zip(np.concatenate(([0], edges)), np.concatenate((edges, [n])), strict=True):
            steps = np.arange(1, b - a + 1, dtype=np.float64)
            if active[a]:
                envelope[a:b] = np.maximum(gain - down * steps, floor)
            else:
                envelope[a:b] = np.minimum(gain + up * steps, 1.0)
            gain = float(envelope[b - 1])
        duck.gain = gain
        return envelope.astype(np.float32)

    def _reap(self) -> None:
        for voice in [v for v in self.voices.values() if v.end <= self.now]:
            self.stop(voice.id)

    # hooks for backends that mirror voices elsewhere
    def _started(self, voice: Voice) -> None:
        pass

    def _stopped(self, voice_id: int) -> None:
        pass

    def _moved(self, voice: Voice) -> None:
        pass

    def _listener_moved(self) -> None:
        pass

    def render(self, n: int) -> np.ndarray:
        """Mix the next ``n`` samples into an (n, 2) float32 block and advance the timeline."""
        raise NotImplementedError


class Mixer(MixerBase):
    """The pure-numpy mixer: sample-accurate, deterministic, equal-power panning, no clipping."""

    def render(self, n: int) -> np.ndarray:
        """Mix the next ``n`` samples into an (n, 2) float32 block and advance the timeline."""
        if n < 0:
            raise ValueError("render: n must be >= 0")
        out = np.zeros((n, 2), dtype=np.float32)
        if n == 0:
            return out
        envelope = self.duck_envelope(n)
        t0 = self.now
        for voice in sorted(self.voices.values(), key=lambda v: v.id):  # fixed order: deterministic sums
            a = max(voice.start, t0)
            b = min(voice.end, t0 + n)
            if b <= a:
                continue
            a, b = int(a), int(b)
            length = len(voice.samples)
            offset = a - voice.start
            if voice.loop:
                chunk = voice.samples[(np.arange(offset, offset + b - a) % length)]
            else:
                chunk = voice.samples[offset:offset + b - a]
            if voice.position is None:
                mixed = np.broadcast_to(chunk, (b - a, 2)) * np.float32(voice.volume)
            else:
                gains = pan_gains(voice.position, self.listener) * voice.volume
                previous = voice.gains if voice.gains is not None else gains
                voice.gains = gains
                # ramp from the last block's gains to avoid zipper noise when the source or listener moves
                ramp = np.linspace(0.0, 1.0, b - a, endpoint=False, dtype=np.float64)[:, None]
                mixed = chunk * (previous + (gains - previous) * ramp).astype(np.float32)
            if voice.tag == self.ducking.target:
                mixed = mixed * envelope[a - t0:b - t0, None]
            out[a - t0:b - t0] += mixed
        self.now += n
        self._reap()
        return out
