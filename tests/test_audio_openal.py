"""OpenAL Soft backend: the loopback mixer against the numpy reference, the factory, the live output."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from engine.audio import Mixer, OpenALError, OpenALLoopbackMixer, make_offline_mixer, openal_backend
from engine.audio.openal_backend import LiveOutput
from tests.test_audio import build_scene, click, ducked_levels, render_blocks, rms, sine


@pytest.fixture
def loopback() -> OpenALLoopbackMixer:
    """A loopback mixer, or a skip saying why OpenAL is unusable here."""
    try:
        mixer = OpenALLoopbackMixer()
    except OpenALError as error:
        pytest.skip(f"OpenAL Soft loopback unavailable: {error}")
    yield mixer
    mixer.close()


def test_loopback_renders_and_pans(loopback: OpenALLoopbackMixer) -> None:
    loopback.play(sine(0.2), position=(-2.0, 0.0, 0.0))
    loopback.play(sine(0.2, freq=660), position=(2.0, 0.0, 0.0), start_sample=9600)
    first = rms(loopback.render(9600))
    assert first[0] > 0.1 and first[1] < 1e-4  # hard left, 1/d at 2 m: 0.25 amplitude -> 0.177 rms
    assert first[0] == pytest.approx(0.25 / np.sqrt(2), rel=0.02)
    second = loopback.render(9600)
    assert rms(second)[1] == pytest.approx(0.25 / np.sqrt(2), rel=0.02)  # the right source joined


def test_loopback_matches_numpy_on_the_simple_cases(loopback: OpenALLoopbackMixer) -> None:
    reference = Mixer()
    stereo = np.stack([sine(0.5), 0.5 * sine(0.5, freq=550)], axis=1)
    for mixer in (loopback, reference):
        mixer.play(stereo, tag="music", loop=True)
    np.testing.assert_allclose(loopback.render(36000), reference.render(36000), atol=1e-5)  # passes through
    for mixer in (loopback, reference):
        mixer.stop_all()
        mixer.play(sine(0.1), position=(-1.0, 0.0, -1.0))  # front left
    ours, theirs = rms(loopback.render(4800)), rms(reference.render(4800))
    assert ours[0] > 4 * ours[1] and theirs[0] > 4 * theirs[1]  # both: clearly louder on the left
    assert np.sum(ours**2) == pytest.approx(np.sum(theirs**2), rel=0.1)  # the same power at 1.41 m


def test_loopback_is_sample_accurate(loopback: OpenALLoopbackMixer) -> None:
    loopback.play(click(), start_sample=48000)
    out = render_blocks(loopback, [1601, 1602] * 20)
    assert np.flatnonzero(np.abs(out).sum(axis=1) > 1e-6).tolist() == [48000]
    np.testing.assert_allclose(out[48000], [1.0, 1.0], atol=1e-6)


def test_loopback_ducks_like_numpy(loopback: OpenALLoopbackMixer) -> None:
    ours, _ = ducked_levels(loopback, 12.0)
    theirs, _ = ducked_levels(Mixer(), 12.0)
    assert 20 * np.log10(np.mean(ours[60000:90000])) == pytest.approx(-12.0, abs=0.1)
    np.testing.assert_allclose(ours[:48000], 1.0, atol=1e-5)
    np.testing.assert_allclose(ours[110000:], 1.0, atol=1e-5)
    assert np.max(np.abs(ours - theirs)) < 0.05  # the envelope is applied per 5 ms step in OpenAL


def test_loopback_is_deterministic(loopback: OpenALLoopbackMixer) -> None:
    a = render_blocks(build_scene(loopback), [1600] * 30)
    other = OpenALLoopbackMixer()
    try:
        b = render_blocks(build_scene(other), [1600] * 30)
    finally:
        other.close()
    np.testing.assert_array_equal(a, b)
    assert np.any(a)


def test_factory_prefers_openal_and_falls_back(monkeypatch: pytest.MonkeyPatch,
                                               caplog: pytest.LogCaptureFixture) -> None:
    assert type(make_offline_mixer(backend="numpy")) is Mixer
    try:
        OpenALLoopbackMixer().close()
        assert isinstance(make_offline_mixer(), OpenALLoopbackMixer)
    except OpenALError:
        pass

    def broken(rate: int) -> None:
        raise OpenALError("no libopenal here")

    monkeypatch.setattr(openal_backend, "OpenALLoopbackMixer", broken)
    with caplog.at_level(logging.WARNING, logger="persona.audio"):
        mixer = make_offline_mixer()
    assert type(mixer) is Mixer and "no libopenal here" in caplog.text
    with pytest.raises(ValueError):
        make_offline_mixer(backend="fmod")


def test_live_output_without_a_device_is_silent(monkeypatch: pytest.MonkeyPatch,
                                                caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(openal_backend, "_warned_no_device", False)
    with caplog.at_level(logging.WARNING, logger="persona.audio"):
        outputs = [LiveOutput("persona-no-such-device"), LiveOutput("persona-no-such-device")]
    for output in outputs:
        assert output.silent and output.reason
        output.write(np.zeros((1600, 2), dtype=np.float32))  # a no-op, never an error
        output.close()
    assert caplog.text.count("running silent") == 1


def test_live_output_default_device_never_crashes() -> None:
    output = LiveOutput()  # this machine may have no sound card: then it is silent
    for _ in range(3):
        output.write(np.zeros((1600, 2), dtype=np.float32))
    assert output.silent == (output.device_name == "")
    output.close()
