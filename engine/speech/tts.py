"""Text-to-speech through libespeak-ng (ctypes), with phoneme timings for lip sync.

``synthesize`` returns an :class:`Utterance`: 48 kHz float32 mono samples plus the
phonemes espeak-ng spoke, each with its start and end in seconds on the same clock as
the samples.  libespeak-ng is global state, so every call runs under one lock.  When
the library cannot be loaded the ``espeak-ng`` command line is used instead
(``-w`` for audio, ``--pho`` for phonemes with durations).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.audio.decode import MIX_RATE, resample

__all__ = [
    "LANGUAGES", "Phoneme", "SpeechError", "Utterance", "synthesize", "backend",
]


class SpeechError(Exception):
    """Speech synthesis failed: bad input, unknown language or espeak-ng not installed."""


# language -> espeak-ng voice.  Debian's espeak-ng 1.51 ``cmn`` voice reads the tone
# digits of its own dictionary as English numbers ("你" -> "ni three"); the
# ``cmn-latn-pinyin`` voice uses the same dictionary and speaks it correctly.
LANGUAGES: dict[str, str] = {"en": "en", "zh": "cmn-latn-pinyin"}
DEBIAN_PACKAGE = "espeak-ng"
NATIVE_RATE = 22050

# speak_lib.h
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_PHONEME_EVENTS = 0x0001
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_EVENT_LIST_TERMINATED = 0
_EVENT_END = 5
_EVENT_MSG_TERMINATED = 6
_EVENT_PHONEME = 7
_RATE, _VOLUME, _PITCH = 1, 2, 3


@dataclass(frozen=True, slots=True)
class Phoneme:
    """One spoken phoneme (espeak-ng mnemonic); ``start``/``end`` in seconds."""

    symbol: str
    start: float
    end: float


@dataclass(slots=True)
class Utterance:
    samples: np.ndarray  # float32 mono, at ``rate``
    rate: int
    phonemes: list[Phoneme] = field(default_factory=list)
    text: str = ""
    lang: str = "en"

    @property
    def duration(self) -> float:
        return len(self.samples) / float(self.rate)


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))

_lock = threading.RLock()
_lib = None  # ctypes.CDLL once initialised; False when the library cannot be used
_lib_rate = NATIVE_RATE
_callback_ref = None
_chunks: list[np.ndarray] = []
_events: list[tuple[int, str]] = []  # (audio_position ms, mnemonic)


def _on_synth(wav, numsamples, events):  # runs inside espeak_Synth, under _lock
    if numsamples > 0 and wav:
        _chunks.append(np.ctypeslib.as_array(wav, shape=(numsamples,)).copy())
    i = 0
    while True:
        event = events[i]
        if event.type == _EVENT_LIST_TERMINATED:
            break
        if event.type == _EVENT_PHONEME:
            raw = bytes(event.id.string).split(b"\0", 1)[0]
            _events.append((int(event.audio_position), raw.decode("utf-8", "replace")))
        i += 1
    return 0


def _load_library():
    global _lib, _lib_rate, _callback_ref
    if _lib is not None:
        return _lib or None
    if os.environ.get("PERSONA_SPEECH_BACKEND", "") == "cli":
        _lib = False
        return None
    names = [ctypes.util.find_library("espeak-ng"), "libespeak-ng.so.1", "libespeak-ng.so"]
    lib = None
    for name in filter(None, names):
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            continue
    if lib is None:
        _lib = False
        return None
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetParameter.restype = ctypes.c_int
    lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                 ctypes.c_uint, ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p]
    lib.espeak_Synth.restype = ctypes.c_int
    lib.espeak_Synchronize.argtypes = []
    lib.espeak_Synchronize.restype = ctypes.c_int
    rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, None,
                                 _INITIALIZE_PHONEME_EVENTS | _INITIALIZE_DONT_EXIT)
    if rate <= 0:
        _lib = False
        return None
    _lib_rate = int(rate)
    _callback_ref = _CALLBACK(_on_synth)  # keep a reference: espeak holds the raw pointer
    lib.espeak_SetSynthCallback(_callback_ref)
    _lib = lib
    return lib


def backend() -> str:
    """``"library"`` (libespeak-ng via ctypes), ``"cli"`` (espeak-ng command) or ``"none"``."""
    with _lock:
        if _load_library() is not None:
            return "library"
    return "cli" if shutil.which("espeak-ng") else "none"


def _check(text: str, lang: str, rate: int, pitch: int, volume: float) -> str:
    if lang not in LANGUAGES:
        raise SpeechError(f"unknown language {lang!r}; supported: {', '.join(sorted(LANGUAGES, reverse=True))}")
    if not isinstance(text, str) or not text.strip():
        raise SpeechError("nothing to say: text is empty or whitespace")
    if not 80 <= int(rate) <= 450:
        raise SpeechError(f"rate {rate} words/minute is outside 80..450")
    if not 0 <= int(pitch) <= 100:
        raise SpeechError(f"pitch {pitch} is outside 0..100")
    if not 0.0 <= float(volume) <= 2.0:
        raise SpeechError(f"volume {volume} is outside 0..2")
    return " ".join(text.split())  # newlines/tabs would read as paragraph breaks


def _events_to_phonemes(events: list[tuple[int, str]], duration: float) -> list[Phoneme]:
    """Phoneme events carry their start (ms); each ends where the next event begins."""
    out: list[Phoneme] = []
    for k, (ms, symbol) in enumerate(events):
        start = ms / 1000.0
        end = events[k + 1][0] / 1000.0 if k + 1 < len(events) else duration
        end = min(max(end, start), duration)
        if symbol and end > start:
            out.append(Phoneme(symbol, start, end))
    return out


def _synth_library(lib, text: str, voice: str, rate: int, pitch: int, volume: float):
    if lib.espeak_SetVoiceByName(voice.encode()) != 0:
        raise SpeechError(f"espeak-ng has no voice {voice!r}")
    lib.espeak_SetParameter(_RATE, int(rate), 0)
    lib.espeak_SetParameter(_PITCH, int(pitch), 0)
    lib.espeak_SetParameter(_VOLUME, 100, 0)  # gain applied in float, no clipping inside espeak
    _chunks.clear()
    _events.clear()
    data = text.encode("utf-8") + b"\0"
    buf = ctypes.create_string_buffer(data, len(data))
    err = lib.espeak_Synth(buf, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
    lib.espeak_Synchronize()
    if err != 0:
        raise SpeechError(f"espeak_Synth failed with error {err}")
    pcm = np.concatenate(_chunks) if _chunks else np.zeros(0, np.int16)
    events = list(_events)
    _chunks.clear()
    _events.clear()
    return pcm, _lib_rate, events


def _voiced_regions(pcm: np.ndarray, rate: int) -> list[tuple[float, float]]:
    """Spans (s) where the audio has energy: 10 ms frames above 10 % of the loud level, gaps < 60 ms merged."""
    hop = max(1, rate // 100)
    n = len(pcm) // hop
    if n == 0:
        return []
    x = pcm[: n * hop].astype(np.float64).reshape(n, hop) / 32768.0
    e = np.sqrt(np.mean(x * x, axis=1))
    loud = e > 0.1 * max(np.percentile(e, 95), 1e-6)
    spans: list[list[float]] = []
    for i in np.nonzero(loud)[0]:
        t = i * hop / rate
        if spans and t - spans[-1][1] < 0.06:
            spans[-1][1] = t + hop / rate
        else:
            spans.append([t, t + hop / rate])
    return [(a, b) for a, b in spans]


def _spread_phonemes(symbols: list[str], spans: list[tuple[float, float]]) -> list[tuple[int, str]]:
    """Spread untimed mnemonics over the voiced spans (vowels count double): the CLI has no timings."""
    from engine.speech.visemes import is_silence, phoneme_target

    symbols = [s for s in symbols if not is_silence(s)]
    total = sum(b - a for a, b in spans)
    if not symbols or total <= 0:
        return []
    weights = np.array([2.0 if phoneme_target(s)[1] else 1.0 for s in symbols])
    bounds = np.concatenate([[0.0], np.cumsum(weights)]) / weights.sum() * total
    starts = np.cumsum([0.0] + [b - a for a, b in spans])

    def to_time(v: float) -> float:
        k = int(np.clip(np.searchsorted(starts, v, side="right") - 1, 0, len(spans) - 1))
        return spans[k][0] + (v - starts[k])

    events: list[tuple[int, str]] = []
    for sym, a in zip(symbols, bounds[:-1], strict=False):
        t = to_time(a)
        # a voiced span starts: the previous one ended with a pause
        for k in range(1, len(spans)):
            if events and events[-1][0] / 1000.0 < spans[k - 1][1] <= t:
                events.append((int(round(spans[k - 1][1] * 1000)), "_"))
        events.append((int(round(t * 1000)), sym))
    events.append((int(round(spans[-1][1] * 1000)), "_"))
    return sorted(events)


def _synth_cli(text: str, voice: str, rate: int, pitch: int):
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise SpeechError(f"espeak-ng is not installed; install the Debian package '{DEBIAN_PACKAGE}' "
                          f"(apt-get install {DEBIAN_PACKAGE})")
    from scipy.io import wavfile

    with tempfile.TemporaryDirectory(prefix="persona-tts-") as tmp:
        wav = Path(tmp) / "out.wav"
        args = [exe, "-v", voice, "-s", str(int(rate)), "-p", str(int(pitch)), "-a", "100"]
        run = subprocess.run([*args, "-x", "--sep= ", "-w", str(wav), "--", text],
                             capture_output=True, timeout=60)
        if run.returncode != 0 or not wav.is_file():
            raise SpeechError(f"espeak-ng failed: {run.stderr.decode(errors='replace').strip()}")
        native, pcm = wavfile.read(wav)
    pcm = np.asarray(pcm, dtype=np.int16).reshape(-1)
    # --pho gives durations only with mbrola voices; -x gives the mnemonics, timed here from the audio
    symbols = [tok for tok in run.stdout.decode("utf-8", "replace").split()
               if not tok.startswith("(")]  # "(en)" language switch markers
    symbols = [re.sub(r"^[',%=]+|\d+$", "", tok) for tok in symbols]
    return pcm, int(native), _spread_phonemes([s for s in symbols if s], _voiced_regions(pcm, int(native)))


def synthesize(text: str, lang: str = "en", rate: int = 175, pitch: int = 50,
               volume: float = 1.0, voice: str | None = None) -> Utterance:
    """Speak ``text`` in ``lang`` ("en" or "zh") with espeak-ng.

    ``rate`` is words per minute (80..450), ``pitch`` 0..100, ``volume`` a linear gain
    (0..2), ``voice`` an espeak-ng voice name overriding the language default.
    Returns 48 kHz float32 mono samples and the phonemes with their times.
    Same input, same output (espeak-ng is deterministic).
    """
    text = _check(text, lang, rate, pitch, volume)
    voice = voice or LANGUAGES[lang]
    with _lock:
        lib = _load_library()
        if lib is not None:
            pcm, native, events = _synth_library(lib, text, voice, rate, pitch, volume)
        else:
            pcm, native, events = _synth_cli(text, voice, rate, pitch)
    if pcm.size == 0:
        raise SpeechError(f"espeak-ng produced no audio for {text!r}")
    samples = pcm.astype(np.float32) / 32768.0
    samples = resample(samples[:, None], native, MIX_RATE)[:, 0] * np.float32(volume)
    samples = np.clip(samples, -1.0, 1.0).astype(np.float32)
    duration = len(samples) / MIX_RATE
    return Utterance(samples, MIX_RATE, _events_to_phonemes(events, duration), text, lang)
