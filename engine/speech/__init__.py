"""Speech: espeak-ng text-to-speech with phoneme timings, phonemes -> visemes, audio-driven lip sync.

No Panda3D, OpenAL or mediapipe here: numpy/scipy (and PyAV through engine.audio.decode).
"""

from engine.speech.lipsync import lipsync_from_audio, lipsync_from_file
from engine.speech.tts import LANGUAGES, Phoneme, SpeechError, Utterance, backend, synthesize
from engine.speech.visemes import (
                                   ANTICIPATION,
                                   CHANNELS,
                                   VISEMES,
                                   VisemeTrack,
                                   phoneme_viseme,
                                   viseme_track,
)

__all__ = [
    "ANTICIPATION", "CHANNELS", "LANGUAGES", "Phoneme", "SpeechError", "Utterance", "VISEMES",
    "VisemeTrack", "backend", "lipsync_from_audio", "lipsync_from_file", "phoneme_viseme",
    "synthesize", "viseme_track",
]
