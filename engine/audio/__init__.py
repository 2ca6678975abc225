"""Audio: decoding, the numpy and OpenAL Soft mixers, live output and the AudioPlugin."""

from engine.audio.decode import MIX_RATE, SoundError, load_sound, resample
from engine.audio.mixer import Mixer, MixerBase, pan_gains
from engine.audio.openal_backend import (
    LiveOutput,
    OpenALError,
    OpenALLoopbackMixer,
    make_offline_mixer,
)
from engine.audio.plugin import AudioFrames, AudioMixer, AudioPlugin, SoundCache

__all__ = [
    "MIX_RATE",
    "AudioFrames",
    "AudioMixer",
    "AudioPlugin",
    "LiveOutput",
    "Mixer",
    "MixerBase",
    "OpenALError",
    "OpenALLoopbackMixer",
    "SoundCache",
    "SoundError",
    "load_sound",
    "make_offline_mixer",
    "pan_gains",
    "resample",
]
