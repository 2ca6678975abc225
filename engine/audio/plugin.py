"""AudioPlugin: starts PlaySound actions, follows the active camera, renders each frame's samples."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from engine.app import App, Clock, Phase
from engine.audio.decode import MIX_RATE, SoundError, load_sound
from engine.audio.mixer import MixerBase
from engine.components import Camera, WorldTransform
from engine.ecs import EventReader, World
from engine.events import PlaySound

log = logging.getLogger("persona.audio")


class AudioSink(Protocol):
    """Something that plays rendered blocks live (e.g. openal_backend.LiveOutput)."""

    def write(self, samples: np.ndarray) -> None:
        """Queue an (n, 2) float32 block."""


@dataclass(slots=True)
class AudioFrames:
    """Resource: the audio of the frame just presented, for the recorder (and live output)."""

    samples: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.float32))
    index: int = -1  # the Clock.frame these samples belong to
    start_sample: int = 0  # timeline index of samples[0]
    rate: int = MIX_RATE


@dataclass(slots=True)
class AudioMixer:
    """Resource: the app's mixer, for systems that add voices (speech will play tag="speech")."""

    mixer: MixerBase
    sounds: SoundCache


@dataclass
class SoundInbox:
    """Resource: this world's cursor over PlaySound actions."""

    reader: EventReader


class SoundCache:
    """Decoded sounds by absolute path, so looping music and repeated effects decode once."""

    def __init__(self, rate: int = MIX_RATE) -> None:
        self.rate = rate
        self._items: dict[str, np.ndarray] = {}

    def get(self, path: Path | str) -> np.ndarray:
        """The (n, channels) float32 samples of ``path`` at the cache's rate (SoundError if bad)."""
        key = str(Path(path).resolve())
        samples = self._items.get(key)
        if samples is None:
            samples, _ = load_sound(key, self.rate)
            self._items[key] = samples
        return samples


def sound_tag(event: PlaySound) -> str:
    """Looping sounds and files under a ``music`` folder are music (ducked under speech); else effects."""
    return "music" if event.loop or "music" in Path(event.sound).parts else "effect"


def listener_pose(world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Position, forward and up of the active camera (the lowest entity id wins), or None."""
    for _, (camera, transform) in sorted(world.query(Camera, WorldTransform), key=lambda item: item[0]):
        if camera.active:
            m = transform.matrix
            # cameras look down their -Z with Y up, like glTF cameras
            return m[:3, 3].copy(), -m[:3, 2].copy(), m[:3, 1].copy()
    return None


class AudioPlugin:
    """Sound for a world: PlaySound actions become voices; each frame renders exactly its samples.

    Samples per frame are ``rate * frame_dt`` with the fractional remainder carried, so
    29.97 or 24 fps stay sample-accurate over any length. A new world stops the old
    world's voices (its cues start them again) but the timeline keeps counting.
    """

    def __init__(self, mixer: MixerBase | None = None, *, output: AudioSink | None = None,
                 duck_db: float = 10.0) -> None:
        if mixer is None:
            from engine.audio.openal_backend import make_offline_mixer

            mixer = make_offline_mixer()
        self.mixer = mixer
        self.output = output
        self.sounds = SoundCache(mixer.rate)
        self.mixer.duck(duck_db)
        self._carry = 0.0
        self._worlds = 0
        self._failed: set[str] = set()

    def setup_world(self, world: World) -> None:
        """Give the world its PlaySound cursor, the mixer resource and an empty AudioFrames."""
        if self._worlds:
            self.mixer.stop_all()
        self._worlds += 1
        world.resources.insert(SoundInbox(world.events.reader(PlaySound)))
        world.resources.insert(AudioMixer(self.mixer, self.sounds))
        world.resources.insert(AudioFrames(rate=self.mixer.rate, start_sample=self.mixer.now))

    def samples_for(self, dt: float) -> int:
        """How many samples a frame of ``dt`` seconds gets (carrying the fraction to the next)."""
        self._carry += self.mixer.rate * dt
        count = max(int(np.floor(self._carry + 0.5)), 0)
        self._carry -= count
        return count

    def start_sounds(self, world: World) -> None:
        """Turn new PlaySound actions into voices starting at this frame's first sample."""
        for event in world.resources.get(SoundInbox).reader.read():
            try:
                samples = self.sounds.get(event.sound)
            except SoundError as error:
                if event.sound not in self._failed:  # a looping cue should not flood the log
                    self._failed.add(event.sound)
                    log.error("play_sound (%s): %s", event.source or "script", error)
                continue
            self.mixer.play(samples, self.mixer.rate, volume=event.volume, loop=event.loop, tag=sound_tag(event))

    def mix_audio(self, world: World, dt: float) -> None:
        """PRESENT system: start sounds, place the listener, render this frame's samples."""
        self.start_sounds(world)
        pose = listener_pose(world)
        if pose is not None:
            try:
                self.mixer.set_listener(*pose)
            except ValueError:  # a degenerate camera matrix: keep the last listener
                pass
        start = self.mixer.now
        block = self.mixer.render(self.samples_for(dt))
        world.resources.insert(AudioFrames(block, world.resources.get(Clock).frame, start, self.mixer.rate))
        if self.output is not None:
            self.output.write(block)

    def build(self, app: App) -> None:
        """Register the world setup and the PRESENT system."""
        app.on_world(self.setup_world)
        app.add_system(self.mix_audio, Phase.PRESENT, reads=(PlaySound, Camera, WorldTransform, Clock),
                       writes=(AudioFrames,), name="mix_audio")
