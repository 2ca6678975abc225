"""Audio decoding and the numpy mixer: formats, errors, sample accuracy, panning, ducking."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from scipy.io import wavfile

from engine.audio import Mixer, SoundError, load_sound, pan_gains
from engine.audio.mixer import Listener, distance_gain

RATE = 48000


def sine(seconds: float = 0.5, rate: int = RATE, freq: float = 440.0, amp: float = 0.5) -> np.ndarray:
    """A mono float32 sine."""
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def rms(x: np.ndarray) -> np.ndarray:
    """Root mean square per channel."""
    return np.sqrt(np.mean(np.asarray(x, dtype=np.float64) ** 2, axis=0))


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    """A 16-bit PCM WAV (mono or stereo)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wavfile.write(path, rate, (np.clip(samples, -1, 1) * 32767).astype(np.int16))
    return path


def write_float_extensible_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    """A float32 WAVE_FORMAT_EXTENSIBLE (0xFFFE) file, as OpenAL Soft's wave writer makes."""
    data = np.ascontiguousarray(samples, dtype="<f4")
    channels = 1 if data.ndim == 1 else data.shape[1]
    float_guid = struct.pack("<IHH", 3, 0x0000, 0x0010) + bytes.fromhex("800000aa00389b71")
    fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * 4 * channels, 4 * channels, 32, 22, 32,
                      3 if channels == 2 else 4) + float_guid
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", data.nbytes)
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body) + data.nbytes) + body + data.tobytes())
    return path


def encode(path: Path, samples: np.ndarray, rate: int) -> Path:
    """Encode mono float samples with PyAV, picking the codec from the suffix."""
    import av

    fmt, codec, sample_fmt, frame_size = {
        ".flac": ("flac", "flac", "s16", 1152),
        ".mp3": ("mp3", "libmp3lame", "fltp", 1152),
        ".ogg": ("ogg", "libopus", "flt", 960),
        ".m4a": ("ipod", "aac", "fltp", 1024),
    }[path.suffix]
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=rate)
        stream.codec_context.layout = "mono"
        for offset in range(0, len(samples), frame_size):
            chunk = samples[offset:offset + frame_size]
            array = (chunk * 32767).astype(np.int16) if sample_fmt == "s16" else chunk.astype(np.float32)
            frame = av.AudioFrame.from_ndarray(array.reshape(1, -1), format=sample_fmt, layout="mono")
            frame.sample_rate = rate
            frame.pts = offset
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def dominant_hz(x: np.ndarray, rate: int = RATE) -> float:
    """The strongest frequency of the first channel."""
    spectrum = np.abs(np.fft.rfft(x[:, 0] * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1.0 / rate)[np.argmax(spectrum)])


# -- decoding ----------------------------------------------------------------------------------


def test_wav_pcm_is_resampled_to_48k(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "a.wav", sine(1.0, 44100), 44100)
    samples, rate = load_sound(path)
    assert rate == RATE and samples.dtype == np.float32 and samples.shape == (48000, 1)
    assert abs(dominant_hz(samples) - 440.0) < 1.5
    assert rms(samples[1000:-1000])[0] == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


def test_wav_float_extensible_stereo(tmp_path: Path) -> None:
    stereo = np.stack([sine(0.25), -0.5 * sine(0.25)], axis=1)
    samples, _ = load_sound(write_float_extensible_wav(tmp_path / "openal.wav", stereo))
    np.testing.assert_array_equal(samples, stereo)


@pytest.mark.parametrize("suffix,rate", [(".flac", 44100), (".mp3", 44100), (".ogg", 48000), (".m4a", 48000)])
def test_compressed_formats_decode(tmp_path: Path, suffix: str, rate: int) -> None:
    path = encode(tmp_path / f"tone{suffix}", sine(0.5, rate), rate)
    samples, out_rate = load_sound(path)
    assert out_rate == RATE and samples.shape[1] == 1
    assert abs(len(samples) - 24000) <= 2048  # codec padding at most a couple of frames
    assert abs(dominant_hz(samples) - 440.0) < 3.0
    assert rms(samples[4000:20000])[0] == pytest.approx(0.5 / np.sqrt(2), rel=0.08)


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(SoundError, match="nothere.wav: file not found"):
        load_sound(tmp_path / "nothere.wav")


@pytest.mark.parametrize("name", ["broken.wav", "broken.mp3", "broken.ogg", "broken.flac", "empty.m4a"])
def test_corrupt_file_names_it(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"" if name.startswith("empty") else bytes(np.random.default_rng(1).integers(0, 256, 3000,
                                                                                                   dtype=np.uint8)))
    with pytest.raises(SoundError) as info:
        load_sound(path)
    assert name in str(info.value)


def test_unsupported_type(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("la la")
    with pytest.raises(SoundError, match="notes.txt: unsupported sound type .txt"):
        load_sound(path)


# -- mixer -------------------------------------------------------------------------------------


def click() -> np.ndarray:
    """One full-scale sample followed by silence."""
    data = np.zeros(64, dtype=np.float32)
    data[0] = 1.0
    return data


def render_blocks(mixer: Mixer, sizes: list[int]) -> np.ndarray:
    """Render consecutive blocks and join them."""
    return np.concatenate([mixer.render(n) for n in sizes])


def test_click_lands_on_its_sample_across_blocks() -> None:
    mixer = Mixer()
    mixer.play(click(), start_sample=48000)
    out = render_blocks(mixer, [1601, 1602] * 20)
    hits = np.flatnonzero(np.abs(out).sum(axis=1))
    assert hits.tolist() == [48000]
    np.testing.assert_array_equal(out[48000], [1.0, 1.0])  # unpanned mono: unity in both channels


def test_past_start_sample_starts_mid_sound() -> None:
    mixer = Mixer()
    mixer.render(100)
    ramp = np.arange(200, dtype=np.float32)
    mixer.play(ramp, start_sample=50)
    assert mixer.render(10)[:, 0].tolist() == list(range(50, 60))


def test_looping_repeats_seamlessly_and_stop_ends_it() -> None:
    mixer = Mixer()
    ramp = np.linspace(-1, 1, 1000, dtype=np.float32)
    voice = mixer.play(ramp, loop=True, volume=0.5)
    out = render_blocks(mixer, [777] * 5)
    np.testing.assert_allclose(out[:, 1], 0.5 * np.tile(ramp, 4)[:3885], atol=1e-7)
    mixer.stop(voice)
    assert not mixer.playing(voice) and not np.any(mixer.render(100))


def test_one_shot_voice_ends_and_is_reaped() -> None:
    mixer = Mixer()
    voice = mixer.play(sine(0.01))
    mixer.render(480)
    assert not mixer.playing(voice)


def test_play_resamples_other_rates() -> None:
    mixer = Mixer()
    mixer.play(sine(0.5, 24000), rate=24000)
    out = mixer.render(30000)
    assert np.any(out[23000:23900]) and not np.any(out[24100:])


def test_panning_left_right_and_equal_power() -> None:
    listener = Listener()  # at the origin, facing -Z, right is +X
    left, right, centre = (pan_gains(np.array(p), listener) for p in ([-1.0, 0, 0], [1.0, 0, 0], [0, 0, -1.0]))
    assert left[0] == pytest.approx(1.0) and left[1] == pytest.approx(0.0, abs=1e-12)
    assert right[1] == pytest.approx(1.0) and right[0] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(centre, [np.sqrt(0.5)] * 2)
    diagonal = pan_gains(np.array([-0.6, 0.0, -0.8]), listener)
    assert diagonal[0] > diagonal[1] and np.sum(diagonal**2) == pytest.approx(1.0)


def test_mixer_pans_a_source_to_the_left_of_a_rotated_listener() -> None:
    mixer = Mixer()
    mixer.set_listener(np.zeros(3), np.array([1.0, 0, 0]), np.array([0, 1.0, 0]))  # facing +X: left is -Z
    mixer.play(sine(0.1), position=(0.0, 0.0, -1.0))
    level = rms(mixer.render(4800))
    assert level[0] > 0.3 and level[1] < 1e-6


def test_distance_attenuation_inverse_clamped() -> None:
    assert distance_gain(0.2) == 1.0 and distance_gain(2.0) == pytest.approx(0.5)
    assert distance_gain(4.0) == pytest.approx(0.25)
    near, far = Mixer(), Mixer()
    near.play(sine(0.1), position=(1.0, 0, 0))
    far.play(sine(0.1), position=(3.0, 0, 0))
    assert rms(far.render(4800))[1] == pytest.approx(rms(near.render(4800))[1] / 3, rel=1e-4)


def test_stereo_music_passes_through_unpanned() -> None:
    mixer = Mixer()
    stereo = np.stack([sine(0.1), sine(0.1, freq=660)], axis=1)
    mixer.play(stereo, tag="music")
    np.testing.assert_allclose(mixer.render(4800), stereo, atol=1e-7)


def ducked_levels(mixer: Mixer, db: float) -> tuple[np.ndarray, Mixer]:
    """Music (a constant 0.5) with silent speech from 1.0 s to 2.0 s; returns the music gain per sample."""
    mixer.duck(db, attack_s=0.05, release_s=0.2)
    mixer.play(np.full(1000, 0.5, dtype=np.float32), loop=True, tag="music")
    mixer.play(np.zeros(48000, dtype=np.float32), tag="speech", start_sample=48000)
    out = render_blocks(mixer, [1600] * 90)
    return out[:, 0] / 0.5, mixer


def test_ducking_lowers_music_under_speech() -> None:
    gain, _ = ducked_levels(Mixer(), 12.0)
    floor = 10 ** (-12 / 20)
    assert np.all(gain[:48000] == 1.0)
    assert np.all(np.diff(gain[48000:48000 + 2400]) < 0)  # the attack ramps, it does not jump
    np.testing.assert_allclose(gain[48000 + 2400:96000], floor, rtol=1e-4)  # -12 dB after 50 ms
    assert gain[96000 + 4800] < 1.0 and np.all(np.diff(gain[96000:96000 + 9600]) > 0)  # 200 ms release
    np.testing.assert_allclose(gain[96000 + 9601:], 1.0, rtol=1e-6)


def test_effects_are_not_ducked() -> None:
    mixer = Mixer()
    mixer.duck(12.0)
    mixer.play(np.full(100, 0.5, dtype=np.float32), loop=True, tag="effect")
    mixer.play(np.zeros(48000, dtype=np.float32), tag="speech")
    np.testing.assert_allclose(mixer.render(24000)[:, 0], 0.5)


def build_scene(mixer: Mixer) -> Mixer:
    """A fixed scene of music, a positioned effect, speech and ducking."""
    mixer.duck(10.0)
    mixer.play(np.stack([sine(0.4), sine(0.4, freq=330)], axis=1), loop=True, tag="music", volume=0.5)
    mixer.play(sine(0.3, freq=880), position=(-1.0, 0.5, -2.0), start_sample=7000)
    mixer.play(sine(0.2, freq=220), tag="speech", start_sample=10000)
    return mixer


def test_mixer_is_deterministic() -> None:
    a = render_blocks(build_scene(Mixer()), [1600] * 30)
    b = render_blocks(build_scene(Mixer()), [1600] * 30)
    np.testing.assert_array_equal(a, b)
    c = render_blocks(build_scene(Mixer()), [1601, 1599, 1000, 2200] * 7 + [3200])
    np.testing.assert_allclose(a, c, atol=1e-6)  # block sizes do not change the mix


def test_bad_arguments() -> None:
    mixer = Mixer()
    with pytest.raises(ValueError, match="tag"):
        mixer.play(sine(), tag="voice")
    with pytest.raises(ValueError, match="empty"):
        mixer.play(np.zeros(0))
    with pytest.raises(ValueError, match="forward"):
        mixer.set_listener(np.zeros(3), np.zeros(3), np.array([0, 1.0, 0]))
