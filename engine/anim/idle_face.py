"""Idle presence of a face: stochastic blinks (some double), eye saccades and gaze drift.

Everything is driven by a seeded ``random.Random`` and advanced with ``update(dt)``, so the
same seed and the same tick sequence give the same face (renders stay deterministic).
Angles are degrees; ``yaw`` > 0 looks toward the avatar's left (+X), ``pitch`` > 0 looks up (+Y).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field


@dataclass(slots=True)
class IdleConfig:
    """Tunables of idle presence (defaults follow human averages)."""

    blinks_per_minute: float = 17.5  # all blinks, the second of a double counted too
    double_blink_chance: float = 0.12
    blink_duration: tuple[float, float] = (0.10, 0.15)  # seconds, close + hold + open
    double_gap: tuple[float, float] = (0.06, 0.14)  # eyes open between the two blinks of a double
    min_blink_interval: float = 1.0
    saccade_interval: tuple[float, float] = (0.5, 3.0)  # seconds between saccades
    saccade_yaw: float = 4.0  # max degrees either side of the gaze target
    saccade_pitch: float = 2.5
    drift_amplitude: float = 0.8  # slow wander around the fixation point, degrees
    drift_period: tuple[float, float] = (3.0, 7.0)


@dataclass(slots=True)
class Blink:
    """One scheduled blink."""

    start: float
    duration: float
    double: bool = False  # the second blink of a double

    def weight(self, t: float) -> float:
        """Eyelid closure 0..1 at time ``t``: fast close, a short hold, slower open."""
        u = (t - self.start) / self.duration
        if u <= 0.0 or u >= 1.0:
            return 0.0
        close, hold = 0.35, 0.15
        if u < close:
            x = u / close
            return x * x * (3.0 - 2.0 * x)
        if u < close + hold:
            return 1.0
        x = (u - close - hold) / (1.0 - close - hold)
        return 1.0 - x * x * (3.0 - 2.0 * x)


@dataclass(slots=True)
class IdleSample:
    """What idle presence asks of the face at one instant."""

    blink: float = 0.0
    yaw: float = 0.0  # saccade + drift offset from the gaze target, degrees
    pitch: float = 0.0


@dataclass
class IdleFace:
    """Blinks, saccades and drift for one face, advanced tick by tick."""

    seed: int = 0
    config: IdleConfig = field(default_factory=IdleConfig)
    time: float = 0.0
    blinks: list[Blink] = field(default_factory=list)  # recent blinks (the last 32 or more)
    saccades: list[tuple[float, float, float]] = field(default_factory=list)  # recent (time, yaw, pitch)
    blink_count: int = 0  # blinks started so far (each of a double counts)
    double_count: int = 0
    saccade_count: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        cfg = self.config
        self._next_blink = self.rng.uniform(0.3, 2.0)
        self._next_saccade = self.rng.uniform(*cfg.saccade_interval)
        self._fix_yaw = 0.0
        self._fix_pitch = 0.0
        self._drift = [(self.rng.uniform(*cfg.drift_period), self.rng.uniform(0, 2 * math.pi)) for _ in range(4)]

    # -- scheduling ----------------------------------------------------------------
    def _blink_interval(self) -> float:
        cfg = self.config
        events_per_minute = cfg.blinks_per_minute / (1.0 + cfg.double_blink_chance)
        mean = 60.0 / events_per_minute
        # gamma with shape 6: irregular but without long stares or bursts
        return max(cfg.min_blink_interval, self.rng.gammavariate(6.0, mean / 6.0))

    def _schedule_blinks(self, until: float) -> None:
        cfg = self.config
        while self._next_blink <= until:
            first = Blink(self._next_blink, self.rng.uniform(*cfg.blink_duration))
            self.blinks.append(first)
            self.blink_count += 1
            end = first.start + first.duration
            if self.rng.random() < cfg.double_blink_chance:
                second = Blink(end + self.rng.uniform(*cfg.double_gap), self.rng.uniform(*cfg.blink_duration), True)
                self.blinks.append(second)
                self.blink_count += 1
                self.double_count += 1
                end = second.start + second.duration
            self._next_blink = end + self._blink_interval()

    def _schedule_saccades(self, until: float) -> None:
        cfg = self.config
        while self._next_saccade <= until:
            # small jumps around the target, biased back toward the centre
            yaw = max(-cfg.saccade_yaw, min(cfg.saccade_yaw, 0.4 * self._fix_yaw + self.rng.gauss(0.0, cfg.saccade_yaw / 2)))
            pitch = max(-cfg.saccade_pitch,
                        min(cfg.saccade_pitch, 0.4 * self._fix_pitch + self.rng.gauss(0.0, cfg.saccade_pitch / 2)))
            self._fix_yaw, self._fix_pitch = yaw, pitch
            self.saccades.append((self._next_saccade, yaw, pitch))
            self.saccade_count += 1
            self._next_saccade += self.rng.uniform(*cfg.saccade_interval)

    # -- sampling --------------------------------------------------------------------
    def blink_weight(self, t: float) -> float:
        """Closure at ``t`` from the blinks scheduled so far."""
        weight = 0.0
        for blink in reversed(self.blinks):
            if blink.start + blink.duration < t - 1.0:
                break
            weight = max(weight, blink.weight(t))
        return weight

    def drift(self, t: float) -> tuple[float, float]:
        """Slow quasi-periodic wander (degrees), deterministic in ``t``."""
        amp = self.config.drift_amplitude
        (p0, f0), (p1, f1), (p2, f2), (p3, f3) = self._drift
        yaw = amp * 0.6 * (math.sin(2 * math.pi * t / p0 + f0) + 0.6 * math.sin(2 * math.pi * t / (p1 * 1.7) + f1))
        pitch = amp * 0.4 * (math.sin(2 * math.pi * t / p2 + f2) + 0.6 * math.sin(2 * math.pi * t / (p3 * 1.9) + f3))
        return yaw, pitch

    def update(self, dt: float) -> IdleSample:
        """Advance ``dt`` seconds and sample blink closure and gaze offset."""
        self.time += dt
        t = self.time
        self._schedule_blinks(t)
        self._schedule_saccades(t)
        if len(self.blinks) > 64:
            del self.blinks[:-32]
        if len(self.saccades) > 64:
            del self.saccades[:-32]
        dyaw, dpitch = self.drift(t)
        return IdleSample(self.blink_weight(t), self._fix_yaw + dyaw, self._fix_pitch + dpitch)
