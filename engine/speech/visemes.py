"""Phonemes -> visemes, with coarticulation, for the face's mouth.

Channels: the five VRM vowel visemes ``aa ih ou ee oh`` (weights in [0, 1]) plus
``closed`` (p b m: lips pressed, the face maps it to mouthClose/mouthPress) and
``teeth`` (f v: lower lip to upper teeth, mouthRollLower / mouthUpperUp-ish). ``rest``
is what a silence maps to: every weight 0, the mouth closed.

Coarticulation, in three steps, on a per-frame grid:

1. *targets*: every phoneme has a target shape; consonants that barely shape the lips
   (t d n l k g h s r ...) borrow half of their neighbouring vowel's shape, so "water"
   does not snap shut on the t;
2. *anticipation*: the lips move ahead of the sound, so the target curve is read
   ``ANTICIPATION`` (80 ms) early;
3. *blending*: a Gaussian of ``SMOOTHING`` (25 ms) sigma overlaps neighbours and keeps
   the mouth from snapping.  A symmetric kernel keeps the 50 % crossing of every
   isolated step exactly at ``phoneme.start - ANTICIPATION``, which is what the tests
   measure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.ndimage import gaussian_filter1d

__all__ = [
    "ANTICIPATION", "CHANNELS", "SMOOTHING", "VISEMES", "VisemeTrack",
    "phoneme_viseme", "phoneme_target", "is_silence", "viseme_track",
]

VISEMES = ("aa", "ih", "ou", "ee", "oh")  # engine.assets.model.VISEMES
CHANNELS = (*VISEMES, "closed", "teeth")
ANTICIPATION = 0.080  # s: the lips start moving this long before the sound
SMOOTHING = 0.025  # s: Gaussian sigma that blends neighbouring shapes

_T = dict[str, float]
# Target shapes.  Vowels first (espeak-ng English mnemonics and Mandarin finals).
_VOWELS: dict[str, _T] = {
    # open
    "a": {"aa": 1.0}, "aa": {"aa": 1.0}, "a#": {"aa": 0.8}, "A": {"aa": 1.0}, "A:": {"aa": 1.0},
    "A@": {"aa": 0.9}, "V": {"aa": 0.7}, "@": {"aa": 0.45, "ee": 0.15}, "@2": {"aa": 0.4},
    "@5": {"aa": 0.4}, "@L": {"aa": 0.4}, "3": {"ee": 0.4, "aa": 0.3}, "3:": {"ee": 0.4, "oh": 0.3},
    "a2": {"aa": 0.8},
    # e / front-mid
    "e": {"ee": 0.9}, "E": {"ee": 0.8, "aa": 0.3}, "e@": {"ee": 0.8, "aa": 0.3},
    "eI": {"ee": 0.8, "ih": 0.3}, "E2": {"ee": 0.7}, "E:": {"ee": 0.8, "aa": 0.3},
    # i / front-close
    "i": {"ih": 1.0}, "i:": {"ih": 1.0}, "I": {"ih": 0.8}, "I#": {"ih": 0.6}, "I2": {"ih": 0.7},
    "i@": {"ih": 0.8, "aa": 0.3}, "i@3": {"ih": 0.8, "aa": 0.3}, "iE": {"ih": 0.4, "ee": 0.7},
    "i.": {"ih": 0.6}, "i[": {"ih": 0.6},  # Mandarin apical vowels of zhi/chi/shi, zi/ci/si
    # o / back-mid
    "0": {"oh": 0.9, "aa": 0.2}, "O": {"oh": 1.0}, "O:": {"oh": 1.0}, "O@": {"oh": 0.9},
    "o": {"oh": 0.9}, "o@": {"oh": 0.9}, "oU": {"oh": 0.8, "ou": 0.3}, "OI": {"oh": 0.8, "ih": 0.3},
    "ou": {"oh": 0.6, "ou": 0.5}, "o2": {"oh": 0.8},
    # u / back-close, rounded
    "u": {"ou": 1.0}, "u:": {"ou": 1.0}, "U": {"ou": 0.8}, "U@": {"ou": 0.7, "aa": 0.3},
    "y": {"ou": 0.8, "ih": 0.3}, "y:": {"ou": 0.8, "ih": 0.3}, "yE": {"ou": 0.5, "ee": 0.5},
    # diphthongs
    "aI": {"aa": 0.9, "ih": 0.3}, "aI@": {"aa": 0.9, "ih": 0.3}, "aI3": {"aa": 0.9},
    "aU": {"aa": 0.8, "ou": 0.4}, "aU@": {"aa": 0.8, "ou": 0.4}, "Au": {"aa": 0.8, "ou": 0.4},
    "ai": {"aa": 0.9, "ih": 0.3}, "ei": {"ee": 0.8, "ih": 0.3}, "ia": {"aa": 0.8, "ih": 0.3},
    "ua": {"aa": 0.8, "ou": 0.4}, "uo": {"oh": 0.8, "ou": 0.4}, "ue": {"ee": 0.7, "ou": 0.3},
    "io": {"oh": 0.8, "ih": 0.2}, "iu": {"ou": 0.8, "ih": 0.2}, "ui": {"ih": 0.6, "ou": 0.4},
}
# consonants that shape the lips themselves
_LIPS: dict[str, _T] = {
    "p": {"closed": 1.0}, "b": {"closed": 1.0}, "m": {"closed": 1.0}, "p#": {"closed": 1.0},
    "b#": {"closed": 1.0}, "m-": {"closed": 1.0}, "ph": {"closed": 1.0},
    "f": {"teeth": 1.0}, "v": {"teeth": 1.0}, "f#": {"teeth": 1.0},
    "w": {"ou": 0.8}, "W": {"ou": 0.8}, "r": {"ou": 0.35}, "r-": {"ou": 0.35}, "3r": {"ou": 0.3},
    "S": {"ou": 0.3, "ih": 0.2}, "Z": {"ou": 0.3, "ih": 0.2}, "tS": {"ou": 0.3, "ih": 0.2},
    "dZ": {"ou": 0.3, "ih": 0.2}, "s.": {"ou": 0.2, "ih": 0.2}, "z.": {"ou": 0.2, "ih": 0.2},
    "ts.": {"ou": 0.2, "ih": 0.2}, "ts.h": {"ou": 0.2, "ih": 0.2},
}
# consonants the lips barely shape: a small shape of their own, half borrowed from the neighbour vowel
_NEUTRAL: dict[str, _T] = {
    "s": {"ih": 0.25}, "z": {"ih": 0.25}, "ts": {"ih": 0.25}, "tsh": {"ih": 0.25}, "dz": {"ih": 0.25},
    "T": {"ih": 0.2, "teeth": 0.3}, "D": {"ih": 0.2, "teeth": 0.3},
    "t": {"ih": 0.2}, "d": {"ih": 0.2}, "n": {"ih": 0.15}, "l": {"ih": 0.2, "aa": 0.1},
    "t#": {"ih": 0.2}, "d#": {"ih": 0.2}, "th": {"ih": 0.2}, "n-": {"ih": 0.15}, "l-": {"aa": 0.15},
    "k": {"aa": 0.15}, "g": {"aa": 0.15}, "kh": {"aa": 0.15}, "N": {"aa": 0.1}, "h": {"aa": 0.25},
    "x": {"aa": 0.2}, "X": {"aa": 0.2}, "j": {"ih": 0.4}, "?": {}, "tS;": {"ih": 0.3},
    "tS;h": {"ih": 0.3}, "S;": {"ih": 0.3}, "C": {"ih": 0.3}, "z.": {"ou": 0.2, "ih": 0.2},
}
_STRIP = re.compile(r"[',%=:]?\d+$|^[',%=]+")


def is_silence(symbol: str) -> bool:
    """espeak-ng pauses (``_``, ``_:``, ``_!``, ``_|``, ...) and empty symbols."""
    return not symbol or symbol.startswith("_") or symbol in ("||", "|", " ")


def _clean(symbol: str) -> str:
    s = symbol.strip()
    s = s.lstrip("',%=")
    s = re.sub(r"\d+$", "", s)  # Mandarin tone numbers: a35, i51
    return s


def phoneme_target(symbol: str) -> tuple[_T, bool]:
    """(target shape, is_vowel).  Unknown symbols are guessed from their first letter."""
    if is_silence(symbol):
        return {}, False
    s = _clean(symbol)
    for table, vowel in ((_VOWELS, True), (_LIPS, False), (_NEUTRAL, False)):
        if s in table:
            return table[s], vowel
    # longest known prefix: "aI@3" -> "aI@", "@-" -> "@"
    for n in range(len(s) - 1, 0, -1):
        for table, vowel in ((_VOWELS, True), (_LIPS, False), (_NEUTRAL, False)):
            if s[:n] in table:
                return table[s[:n]], vowel
    head = s[:1]
    if head in "aAV&":
        return {"aa": 0.8}, True
    if head in "eE3@":
        return {"ee": 0.6}, True
    if head in "iIj":
        return {"ih": 0.7}, True
    if head in "oO0":
        return {"oh": 0.8}, True
    if head in "uUwyY":
        return {"ou": 0.8}, True
    return {"ih": 0.15}, False


def phoneme_viseme(symbol: str) -> str:
    """The dominant viseme of one phoneme: one of CHANNELS or ``"rest"``."""
    target, _ = phoneme_target(symbol)
    if not target:
        return "rest"
    return max(target.items(), key=lambda kv: kv[1])[0]


def _vector(target: _T) -> np.ndarray:
    return np.array([target.get(c, 0.0) for c in CHANNELS], dtype=np.float64)


def _targets(phonemes: Sequence) -> list[np.ndarray]:
    info = [phoneme_target(p.symbol) for p in phonemes]
    vecs = [_vector(t) for t, _ in info]
    out = []
    for i, p in enumerate(phonemes):
        s = _clean(p.symbol)
        vec = vecs[i]
        if not is_silence(p.symbol) and not info[i][1] and s not in _LIPS and info[i][0] is not None:
            # borrow the nearest vowel within the word (no pause in between), prefer the next one
            borrowed = None
            for j in (i + 1, i - 1, i + 2, i - 2):
                if 0 <= j < len(phonemes):
                    between = phonemes[min(i, j):max(i, j) + 1]
                    if any(is_silence(q.symbol) for q in between):
                        continue
                    if info[j][1]:
                        borrowed = vecs[j]
                        break
            if borrowed is not None:
                vec = np.maximum(vec, 0.5 * borrowed)
        out.append(vec)
    return out


@dataclass
class VisemeTrack:
    """Per-frame viseme weights.  ``frames[i]`` holds CHANNELS at time ``i / fps``."""

    fps: float
    duration: float
    frames: np.ndarray  # (n, len(CHANNELS)) float32 in [0, 1]
    channels: tuple[str, ...] = CHANNELS
    source: str = "phonemes"
    _keys: list | None = field(default=None, repr=False)

    @property
    def times(self) -> np.ndarray:
        return np.arange(len(self.frames)) / self.fps

    def channel(self, name: str) -> np.ndarray:
        return self.frames[:, self.channels.index(name)]

    def openness(self) -> np.ndarray:
        """How open the mouth is per frame: the largest vowel weight."""
        return self.frames[:, : len(VISEMES)].max(axis=1)

    def weights_at(self, t: float) -> dict[str, float]:
        """Linearly interpolated weights at time ``t`` (s); 0 (mouth closed) outside the track."""
        n = len(self.frames)
        x = float(t) * self.fps
        if n == 0 or x <= 0 and x < -1 or x >= n:
            return {c: 0.0 for c in self.channels}
        i = int(np.floor(x))
        f = x - i
        a = self.frames[i] if i >= 0 else np.zeros(len(self.channels))
        b = self.frames[i + 1] if i + 1 < n else np.zeros(len(self.channels))
        w = (1.0 - f) * a + f * b
        return {c: float(min(1.0, max(0.0, v))) for c, v in zip(self.channels, w, strict=False)}

    @property
    def keys(self) -> list[dict]:
        """JSON-ready keys ``{"t", "viseme", "weight"}``: a key wherever a weight changes by > 0.01."""
        if self._keys is None:
            keys: list[dict] = []
            for c, name in enumerate(self.channels):
                col = self.frames[:, c]
                last = None
                for i, v in enumerate(col):
                    v = round(float(v), 3)
                    nxt = round(float(col[i + 1]), 3) if i + 1 < len(col) else None
                    if last is None or abs(v - last) > 0.01 or (nxt is not None and abs(nxt - v) > 0.01 and v != last) \
                            or i == len(col) - 1:
                        keys.append({"t": round(i / self.fps, 4), "viseme": name, "weight": v})
                        last = v
            keys.sort(key=lambda k: (k["t"], self.channels.index(k["viseme"])))
            self._keys = keys
        return self._keys

    def to_json(self) -> str:
        return json.dumps({"fps": self.fps, "duration": self.duration, "source": self.source,
                           "channels": list(self.channels), "keys": self.keys})


def viseme_track(phonemes: Iterable, duration: float, fps: float = 60,
                 anticipation: float = ANTICIPATION, smoothing: float = SMOOTHING) -> VisemeTrack:
    """Turn timed phonemes (``symbol``, ``start``, ``end`` in s) into a smoothed viseme track."""
    phonemes = sorted(phonemes, key=lambda p: p.start)
    if fps <= 0:
        raise ValueError(f"fps must be positive, not {fps}")
    duration = max(float(duration), max((p.end for p in phonemes), default=0.0))
    n = int(np.ceil(duration * fps)) + 1
    # evaluate on a fine grid (1 ms), then average down to frames: no aliasing of short phonemes
    fine = 1000
    m = int(np.ceil(duration * fine)) + 1
    grid = np.zeros((m, len(CHANNELS)), dtype=np.float64)
    for p, vec in zip(phonemes, _targets(phonemes), strict=False):
        a = int(round((p.start - anticipation) * fine))
        b = int(round((p.end - anticipation) * fine))
        a, b = max(a, 0), min(max(b, 0), m)
        if b > a and vec.any():
            grid[a:b] = vec
    grid = gaussian_filter1d(grid, smoothing * fine, axis=0, mode="constant")
    # lips pressed (p b m) or on the teeth (f v) take the vowels away
    grid[:, : len(VISEMES)] *= (1.0 - grid[:, 5:6]) * (1.0 - 0.6 * grid[:, 6:7])
    idx = np.clip(np.round(np.arange(n) / fps * fine).astype(int), 0, m - 1)
    frames = np.clip(grid[idx], 0.0, 1.0).astype(np.float32)
    return VisemeTrack(float(fps), duration, frames, CHANNELS, "phonemes")
