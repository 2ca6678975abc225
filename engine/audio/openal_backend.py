"""OpenAL Soft through ctypes: an offline loopback mixer (3D mix, HRTF off) and a live output sink."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
import weakref
from pathlib import Path

import numpy as np

from engine.audio.decode import MIX_RATE
from engine.audio.mixer import MAX_DISTANCE, REFERENCE_DISTANCE, ROLLOFF, Mixer, MixerBase, Voice

log = logging.getLogger("persona.audio")

# ALC_SOFT_loopback, ALC_SOFT_HRTF, ALC_SOFT_output_limiter
ALC_FREQUENCY = 0x1007
ALC_FORMAT_CHANNELS_SOFT = 0x1990
ALC_FORMAT_TYPE_SOFT = 0x1991
ALC_STEREO_SOFT = 0x1501
ALC_FLOAT_SOFT = 0x1406
ALC_HRTF_SOFT = 0x1992
ALC_OUTPUT_LIMITER_SOFT = 0x199A
ALC_DEVICE_SPECIFIER = 0x1005
# AL core and extensions
AL_SOURCE_RELATIVE = 0x202
AL_POSITION = 0x1004
AL_LOOPING = 0x1007
AL_BUFFER = 0x1009
AL_GAIN = 0x100A
AL_ORIENTATION = 0x100F
AL_SOURCE_STATE = 0x1010
AL_PLAYING = 0x1012
AL_BUFFERS_QUEUED = 0x1015
AL_BUFFERS_PROCESSED = 0x1016
AL_REFERENCE_DISTANCE = 0x1020
AL_ROLLOFF_FACTOR = 0x1021
AL_MAX_DISTANCE = 0x1023
AL_SAMPLE_OFFSET = 0x1025
AL_DIRECT_CHANNELS_SOFT = 0x1033
AL_DISTANCE_MODEL = 0xD000
AL_INVERSE_DISTANCE_CLAMPED = 0xD002
AL_FORMAT_STEREO16 = 0x1103
AL_FORMAT_MONO_FLOAT32 = 0x10010
AL_FORMAT_STEREO_FLOAT32 = 0x10011

_u = ctypes.c_uint
_p = ctypes.c_void_p
_i = ctypes.c_int
_f = ctypes.c_float
_SIGNATURES: dict[str, tuple[object, list[object]]] = {
    "alcOpenDevice": (_p, [ctypes.c_char_p]),
    "alcCloseDevice": (ctypes.c_char, [_p]),
    "alcCreateContext": (_p, [_p, _p]),
    "alcDestroyContext": (None, [_p]),
    "alcMakeContextCurrent": (ctypes.c_char, [_p]),
    "alcGetCurrentContext": (_p, []),
    "alcGetError": (_i, [_p]),
    "alcGetString": (ctypes.c_char_p, [_p, _i]),
    "alcIsExtensionPresent": (ctypes.c_char, [_p, ctypes.c_char_p]),
    "alcGetProcAddress": (_p, [_p, ctypes.c_char_p]),
    "alGetError": (_i, []),
    "alIsExtensionPresent": (ctypes.c_char, [ctypes.c_char_p]),
    "alDistanceModel": (None, [_i]),
    "alGenBuffers": (None, [_i, ctypes.POINTER(_u)]),
    "alDeleteBuffers": (None, [_i, ctypes.POINTER(_u)]),
    "alBufferData": (None, [_u, _i, _p, _i, _i]),
    "alGenSources": (None, [_i, ctypes.POINTER(_u)]),
    "alDeleteSources": (None, [_i, ctypes.POINTER(_u)]),
    "alSourcei": (None, [_u, _i, _i]),
    "alSourcef": (None, [_u, _i, _f]),
    "alSource3f": (None, [_u, _i, _f, _f, _f]),
    "alGetSourcei": (None, [_u, _i, ctypes.POINTER(_i)]),
    "alSourcePlay": (None, [_u]),
    "alSourceStop": (None, [_u]),
    "alSourceQueueBuffers": (None, [_u, _i, ctypes.POINTER(_u)]),
    "alSourceUnqueueBuffers": (None, [_u, _i, ctypes.POINTER(_u)]),
    "alListener3f": (None, [_i, _f, _f, _f]),
    "alListenerfv": (None, [_i, ctypes.POINTER(_f)]),
}
_LIB: ctypes.CDLL | None = None
_warned_no_device = False


class OpenALError(RuntimeError):
    """OpenAL Soft could not be loaded or could not do what was asked."""


def load_openal() -> ctypes.CDLL:
    """Load libopenal.so.1 (once) with typed signatures; OpenALError if it is not installed."""
    global _LIB
    if _LIB is not None:
        return _LIB
    name = ctypes.util.find_library("openal") or "libopenal.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError as error:
        raise OpenALError(f"cannot load OpenAL ({name}): {error}") from None
    for fn, (restype, argtypes) in _SIGNATURES.items():
        func = getattr(lib, fn)
        func.restype = restype
        func.argtypes = argtypes
    _LIB = lib
    return lib


def _new_ids(gen: object, count: int = 1) -> list[int]:
    ids = (_u * count)()
    gen(count, ids)  # type: ignore[operator]
    return list(ids)


class _Context:
    """An ALC device + context pair; makes its context current before any AL call."""

    def __init__(self, lib: ctypes.CDLL, device: int, attrs: list[int]) -> None:
        self.lib = lib
        self.device = device
        array = (_i * (len(attrs) + 1))(*attrs, 0)
        self.context = lib.alcCreateContext(device, array)
        if not self.context:
            lib.alcCloseDevice(device)
            raise OpenALError(f"alcCreateContext failed (ALC error 0x{lib.alcGetError(device):x})")
        self.use()

    def use(self) -> ctypes.CDLL:
        """Make this context current (several contexts may live in one process) and return the lib."""
        if self.lib.alcGetCurrentContext() != self.context:
            self.lib.alcMakeContextCurrent(self.context)
        return self.lib

    def check(self, what: str) -> None:
        """Raise OpenALError if the last AL calls set an error."""
        code = self.lib.alGetError()
        if code:
            raise OpenALError(f"{what} failed (AL error 0x{code:x})")

    def close(self) -> None:
        """Destroy the context and close the device."""
        if self.context:
            if self.lib.alcGetCurrentContext() == self.context:
                self.lib.alcMakeContextCurrent(None)
            self.lib.alcDestroyContext(self.context)
            self.lib.alcCloseDevice(self.device)
            self.context = None


class OpenALLoopbackMixer(MixerBase):
    """Offline 3D mix by OpenAL Soft's loopback device: 48 kHz stereo float, HRTF and limiter off.

    Voices, scheduling and the ducking envelope come from :class:`MixerBase`; OpenAL does
    the panning (its own stereo pan law), distance attenuation (inverse distance clamped)
    and the summing. Unpanned voices use AL_SOFT_direct_channels so music passes through.
    """

    def __init__(self, rate: int = MIX_RATE) -> None:
        super().__init__(rate)
        lib = load_openal()
        if not lib.alcIsExtensionPresent(None, b"ALC_SOFT_loopback"):
            raise OpenALError("this OpenAL has no ALC_SOFT_loopback extension")

        def proc(name: bytes, restype: object, *argtypes: object) -> object:
            address = lib.alcGetProcAddress(None, name)
            if not address:
                raise OpenALError(f"alcGetProcAddress({name.decode()}) returned NULL")
            return ctypes.CFUNCTYPE(restype, *argtypes)(address)

        open_loopback = proc(b"alcLoopbackOpenDeviceSOFT", _p, ctypes.c_char_p)
        supported = proc(b"alcIsRenderFormatSupportedSOFT", ctypes.c_char, _p, _i, _i, _i)
        self._render_samples = proc(b"alcRenderSamplesSOFT", None, _p, _p, _i)
        device = open_loopback(None)  # type: ignore[operator]
        if not device:
            raise OpenALError("alcLoopbackOpenDeviceSOFT returned NULL")
        if not supported(device, self.rate, ALC_STEREO_SOFT, ALC_FLOAT_SOFT):  # type: ignore[operator]
            lib.alcCloseDevice(device)
            raise OpenALError(f"loopback cannot render {self.rate} Hz stereo float")
        self._ctx = _Context(lib, device, [
            ALC_FORMAT_CHANNELS_SOFT, ALC_STEREO_SOFT, ALC_FORMAT_TYPE_SOFT, ALC_FLOAT_SOFT,
            ALC_FREQUENCY, self.rate, ALC_HRTF_SOFT, 0, ALC_OUTPUT_LIMITER_SOFT, 0,
        ])
        for ext in (b"AL_EXT_FLOAT32", b"AL_SOFT_direct_channels"):
            if not lib.alIsExtensionPresent(ext):
                self._ctx.close()
                raise OpenALError(f"OpenAL lacks {ext.decode()}")
        lib.alDistanceModel(AL_INVERSE_DISTANCE_CLAMPED)
        weakref.finalize(self, self._ctx.close)  # no "device not closed" complaint at exit
        self._sources: dict[int, tuple[int, int]] = {}  # voice id -> (source, buffer)
        self._started_ids: set[int] = set()
        self._listener_moved()
        self._ctx.check("loopback setup")

    # -- voice mirroring ------------------------------------------------------------------
    def _started(self, voice: Voice) -> None:
        lib = self._ctx.use()
        data = voice.samples
        if voice.position is None and data.shape[1] == 1:
            data = np.repeat(data, 2, axis=1)  # unpanned mono: both channels at unity, like the numpy mixer
        data = np.ascontiguousarray(data, dtype=np.float32)
        fmt = AL_FORMAT_MONO_FLOAT32 if data.shape[1] == 1 else AL_FORMAT_STEREO_FLOAT32
        (buffer,) = _new_ids(lib.alGenBuffers)
        lib.alBufferData(buffer, fmt, data.ctypes.data, data.nbytes, self.rate)
        (source,) = _new_ids(lib.alGenSources)
        lib.alSourcei(source, AL_BUFFER, buffer)
        lib.alSourcei(source, AL_LOOPING, int(voice.loop))
        lib.alSourcef(source, AL_GAIN, voice.volume)
        lib.alSourcef(source, AL_REFERENCE_DISTANCE, REFERENCE_DISTANCE)
        lib.alSourcef(source, AL_ROLLOFF_FACTOR, ROLLOFF)
        lib.alSourcef(source, AL_MAX_DISTANCE, MAX_DISTANCE)
        if voice.position is None:
            lib.alSourcei(source, AL_SOURCE_RELATIVE, 1)
            lib.alSource3f(source, AL_POSITION, 0.0, 0.0, 0.0)
            lib.alSourcei(source, AL_DIRECT_CHANNELS_SOFT, 1)
        else:
            lib.alSource3f(source, AL_POSITION, *map(float, voice.position))
        self._ctx.check(f"voice {voice.id} setup")
        self._sources[voice.id] = (source, buffer)

    def _stopped(self, voice_id: int) -> None:
        ids = self._sources.pop(voice_id, None)
        self._started_ids.discard(voice_id)
        if ids is None or self._ctx.context is None:
            return
        lib = self._ctx.use()
        source, buffer = (_u * 1)(ids[0]), (_u * 1)(ids[1])
        lib.alSourceStop(source[0])
        lib.alDeleteSources(1, source)
        lib.alDeleteBuffers(1, buffer)

    def _moved(self, voice: Voice) -> None:
        lib = self._ctx.use()
        lib.alSource3f(self._sources[voice.id][0], AL_POSITION, *map(float, voice.position))

    def _listener_moved(self) -> None:
        lib = self._ctx.use()
        lib.alListener3f(AL_POSITION, *map(float, self.listener.position))
        orientation = (_f * 6)(*map(float, self.listener.forward), *map(float, self.listener.up))
        lib.alListenerfv(AL_ORIENTATION, orientation)

    # -- rendering -------------------------------------------------------------------------
    def render(self, n: int) -> np.ndarray:
        """Mix the next ``n`` samples through OpenAL; voices start at their exact sample."""
        if n < 0:
            raise ValueError("render: n must be >= 0")
        out = np.zeros((n, 2), dtype=np.float32)
        if n == 0:
            return out
        lib = self._ctx.use()
        t0 = self.now
        envelope = self.duck_envelope(n)
        ducking = bool(np.any(envelope != 1.0))
        # cut the block where a voice starts, and every 5 ms while the ducking envelope moves
        cuts = {0, n}
        for voice in self.voices.values():
            if voice.id not in self._started_ids and t0 < voice.start < t0 + n:
                cuts.add(int(voice.start - t0))
        if ducking:
            cuts.update(range(0, n, max(self.rate // 200, 1)))
        points = sorted(cuts)
        for a, b in zip(points[:-1], points[1:], strict=True):
            for voice in self.voices.values():
                if voice.id not in self._started_ids and voice.start <= t0 + a:
                    self._begin(voice, t0 + a)
                # always set: the gain must also come back to exactly ``volume`` once ducking ends
                if voice.tag == self.ducking.target and voice.id in self._sources:
                    gain = voice.volume * float(envelope[(a + b) // 2])
                    lib.alSourcef(self._sources[voice.id][0], AL_GAIN, gain)
            self._render_samples(self._ctx.device, out[a:].ctypes.data, b - a)  # type: ignore[operator]
        self.now += n
        self._reap()
        return out

    def _begin(self, voice: Voice, at: int) -> None:
        """Start ``voice`` at absolute sample ``at``, seeking in when it was scheduled in the past."""
        lib = self._ctx.use()
        self._started_ids.add(voice.id)
        offset = at - voice.start
        if offset >= len(voice.samples) and not voice.loop:
            return
        source = self._sources[voice.id][0]
        if offset > 0:
            lib.alSourcei(source, AL_SAMPLE_OFFSET, int(offset % len(voice.samples)))
        lib.alSourcePlay(source)

    def close(self) -> None:
        """Delete every source and buffer, then the context and the loopback device."""
        self.stop_all()
        self._ctx.close()


def make_offline_mixer(rate: int = MIX_RATE, backend: str | None = None) -> MixerBase:
    """The offline mixer: OpenAL loopback when it works, else the numpy mixer (reason logged).

    ``backend`` ("openal" or "numpy") overrides; so does the environment variable
    PERSONA_AUDIO_BACKEND.
    """
    choice = (backend or os.environ.get("PERSONA_AUDIO_BACKEND") or "openal").lower()
    if choice not in ("openal", "numpy"):
        raise ValueError(f"audio backend must be 'openal' or 'numpy', not {choice!r}")
    if choice == "numpy":
        return Mixer(rate)
    try:
        return OpenALLoopbackMixer(rate)
    except OpenALError as error:
        log.warning("OpenAL loopback unavailable (%s); mixing offline audio with the numpy mixer", error)
        return Mixer(rate)


def _linux_has_sound() -> bool:
    """Whether ALSA has a device, or a sound server (PulseAudio / PipeWire) may be listening."""
    snd = Path("/dev/snd")
    if snd.is_dir() and any(snd.iterdir()):
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    return bool(runtime) and any((Path(runtime) / name).exists() for name in ("pulse", "pipewire-0"))


class LiveOutput:
    """Plays rendered stereo blocks on the default (or named) sound device via a streaming source.

    Without a sound device it logs one warning and stays silent: ``write`` becomes a no-op.
    Blocks beyond ``latency_s`` of queued audio are dropped rather than piling up.
    """

    def __init__(self, device: str | None = None, rate: int = MIX_RATE, latency_s: float = 0.25) -> None:
        self.rate = int(rate)
        self.latency_s = float(latency_s)
        self.silent = True
        self.reason = ""
        self._ctx: _Context | None = None
        self._source = 0
        self._free: list[int] = []
        try:
            if device is None and sys.platform.startswith("linux") and not _linux_has_sound():
                # asking ALSA anyway floods stderr with its own errors before failing
                raise OpenALError("no sound card found (/dev/snd is empty)")
            lib = load_openal()
            handle = lib.alcOpenDevice(device.encode() if device else None)
            if not handle:
                raise OpenALError(f"no sound device{f' named {device!r}' if device else ''} could be opened")
            self._ctx = _Context(lib, handle, [ALC_FREQUENCY, self.rate])
            weakref.finalize(self, self._ctx.close)
            (self._source,) = _new_ids(lib.alGenSources)
            lib.alSourcei(self._source, AL_SOURCE_RELATIVE, 1)
            self._ctx.check("live source setup")
            self.silent = False
        except OpenALError as error:
            self.reason = str(error)
            self._warn()

    def _warn(self) -> None:
        global _warned_no_device
        if not _warned_no_device:  # once per process: kiosks reopen outputs on every scene
            _warned_no_device = True
            log.warning("audio output disabled, running silent: %s", self.reason)

    @property
    def device_name(self) -> str:
        """The opened device's name ('' when silent)."""
        if self._ctx is None:
            return ""
        name = self._ctx.lib.alcGetString(self._ctx.device, ALC_DEVICE_SPECIFIER)
        return name.decode(errors="replace") if name else ""

    def write(self, samples: np.ndarray) -> None:
        """Queue an (n, 2) float block for playback (no-op when silent)."""
        if self.silent or self._ctx is None or len(samples) == 0:
            return
        lib = self._ctx.use()
        count = _i()
        lib.alGetSourcei(self._source, AL_BUFFERS_PROCESSED, ctypes.byref(count))
        if count.value:
            done = (_u * count.value)()
            lib.alSourceUnqueueBuffers(self._source, count.value, done)
            self._free.extend(done)
        lib.alGetSourcei(self._source, AL_BUFFERS_QUEUED, ctypes.byref(count))
        if count.value * len(samples) > self.latency_s * self.rate:
            return  # the device is behind: drop this block instead of adding latency
        pcm = np.ascontiguousarray(np.clip(samples, -1.0, 1.0) * 32767.0, dtype=np.int16)
        buffer = self._free.pop() if self._free else _new_ids(lib.alGenBuffers)[0]
        lib.alBufferData(buffer, AL_FORMAT_STEREO16, pcm.ctypes.data, pcm.nbytes, self.rate)
        lib.alSourceQueueBuffers(self._source, 1, (_u * 1)(buffer))
        state = _i()
        lib.alGetSourcei(self._source, AL_SOURCE_STATE, ctypes.byref(state))
        if state.value != AL_PLAYING:
            lib.alSourcePlay(self._source)
        if lib.alGetError():
            self.silent, self.reason = True, "the sound device reported an error"
            self._warn()

    def close(self) -> None:
        """Stop playback and release the device."""
        if self._ctx is None:
            return
        lib = self._ctx.use()
        lib.alSourceStop(self._source)
        lib.alSourcei(self._source, AL_BUFFER, 0)
        lib.alDeleteSources(1, (_u * 1)(self._source))
        if self._free:
            lib.alDeleteBuffers(len(self._free), (_u * len(self._free))(*self._free))
        self._ctx.close()
        self._ctx = None
        self.silent = True
