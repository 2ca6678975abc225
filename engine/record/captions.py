"""Caption track: timed cues, lookup by time, SubRip (SRT) export written atomically."""

from __future__ import annotations

import bisect
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from engine.record.atomic import write_atomic


@dataclass(slots=True, frozen=True)
class Cue:
    """One caption: ``text`` shown from ``start`` to ``end`` seconds (end exclusive)."""

    start: float
    end: float
    text: str


def srt_timestamp(seconds: float) -> str:
    """``HH:MM:SS,mmm`` for SRT, rounded to the millisecond (1.5 -> ``00:00:01,500``)."""
    ms = round(seconds * 1000)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d},{ms:03d}"


def _clean(text: str) -> str:
    # A blank line ends an SRT cue, so cue text must not contain one.
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


@dataclass(slots=True)
class CaptionTrack:
    """Timed captions, kept sorted by start time."""

    cues: list[Cue] = field(default_factory=list)

    def add(self, start: float, end: float, text: str) -> Cue:
        """Add a cue; ``end`` must be after ``start``, times finite and >= 0, text non-empty."""
        if not (math.isfinite(start) and math.isfinite(end)) or start < 0 or end <= start:
            raise ValueError(f"caption times must satisfy 0 <= start < end, got {start}..{end}")
        clean = _clean(text)
        if not clean:
            raise ValueError("caption text is empty")
        cue = Cue(float(start), float(end), clean)
        # insort keeps insertion order among equal starts, so the later cue wins in active_at.
        bisect.insort(self.cues, cue, key=lambda c: c.start)
        return cue

    def active_at(self, t: float) -> str | None:
        """The caption shown at time ``t`` (the latest-starting active cue), or None."""
        index = bisect.bisect_right(self.cues, t, key=lambda c: c.start)
        for cue in reversed(self.cues[:index]):
            if cue.start <= t < cue.end:
                return cue.text
        return None

    @property
    def end(self) -> float:
        """When the last cue ends (0.0 for an empty track)."""
        return max((cue.end for cue in self.cues), default=0.0)

    def __len__(self) -> int:
        return len(self.cues)

    def to_srt(self) -> str:
        """The track as SubRip text: numbered cues, ``00:00:01,500 --> 00:00:03,000``, blank-line separated."""
        blocks = [
            f"{number}\n{srt_timestamp(cue.start)} --> {srt_timestamp(cue.end)}\n{cue.text}\n"
            for number, cue in enumerate(self.cues, start=1)
        ]
        return "\n".join(blocks)

    def write_srt(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`to_srt` as UTF-8 to ``path`` atomically; returns the path."""
        data = self.to_srt().encode("utf-8")
        return write_atomic(path, lambda handle: handle.write(data))
