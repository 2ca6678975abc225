"""engine.speech: espeak-ng TTS with phoneme timings, visemes with coarticulation, audio lip sync."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from engine.assets.model import VISEMES as MODEL_VISEMES
from engine.audio.decode import SoundError
from engine.speech import (
    ANTICIPATION,
    CHANNELS,
    VISEMES,
    SpeechError,
    backend,
    lipsync_from_audio,
    lipsync_from_file,
    phoneme_viseme,
    synthesize,
    viseme_track,
)
from engine.speech.visemes import is_silence

pytestmark = pytest.mark.skipif(backend() == "none", reason="espeak-ng (Debian package espeak-ng) not installed")
JFK = Path("/work/shared/testdata/speech/jfk_16k_mono.wav")
EN = [
    "Hello world. The quick brown fox jumps over the lazy dog.",
    "Welcome to the museum. Please follow me, the exhibition starts here.",
    "Ask not what your country can do for you. Ask what you can do for your country.",
]
ZH = "你好世界，我是数字人。欢迎来到博物馆。"


def envelope(x: np.ndarray, rate: int, fps: float, n: int) -> np.ndarray:
    """Frame RMS centred on each frame time."""
    hop = rate / fps
    out = np.zeros(n)
    for i in range(n):
        c = int(i * hop)
        seg = x[max(0, c - int(hop // 2)): c + int(hop // 2)]
        out[i] = np.sqrt(np.mean(seg ** 2)) if len(seg) else 0.0
    return out


def speech_onsets(u) -> list[tuple[float, float]]:
    """(phoneme start, acoustic onset) after every pause of >= 30 ms (and at the start)."""
    w = u.rate // 1000
    e = np.sqrt(np.convolve(u.samples ** 2, np.ones(5 * w) / (5 * w), "same"))[::w]
    thr = 0.1 * np.percentile(e, 95)
    pairs, sil_start, in_sil = [], 0.0, True
    for q in u.phonemes:
        if is_silence(q.symbol):
            if not in_sil:
                sil_start, in_sil = q.start, True
            continue
        if in_sil and (q.start - sil_start >= 0.03 or sil_start == 0.0):
            t0 = int(sil_start * 1000)
            idx = np.nonzero(e[t0:int(q.end * 1000) + 50] > thr)[0]
            if len(idx):
                pairs.append((q.start, (t0 + idx[0]) / 1000))
        in_sil = False
    return pairs


@pytest.fixture(scope="module")
def utterances():
    return [synthesize(s, "en") for s in EN] + [synthesize(ZH, "zh")]


def test_visemes_match_the_model():
    assert VISEMES == MODEL_VISEMES
    assert CHANNELS == (*MODEL_VISEMES, "closed", "teeth")


def test_synthesize_english(utterances):
    u = utterances[0]
    assert u.rate == 48000 and u.samples.dtype == np.float32 and u.samples.ndim == 1
    assert 1.5 < u.duration < 6.0
    assert np.abs(u.samples).max() > 0.1
    symbols = [p.symbol for p in u.phonemes]
    assert {"h", "l", "w", "D", "k", "b", "f", "dZ"} <= set(symbols)
    starts = [p.start for p in u.phonemes]
    assert starts == sorted(starts)
    assert all(0 <= p.start < p.end <= u.duration + 1e-6 for p in u.phonemes)


def test_synthesize_mandarin_speaks_pinyin_not_english_digits(utterances):
    u = utterances[-1]
    assert u.lang == "zh" and u.duration > 1.0
    symbols = [p.symbol for p in u.phonemes if not is_silence(p.symbol)]
    # ni hao shi jie: n i X Au s. i. ...; Debian's plain "cmn" voice would say "ni three"
    assert symbols[:4] == ["n", "i", "X", "Au"]
    assert "T" not in symbols  # no English "three"
    visemes = {phoneme_viseme(s) for s in symbols}
    assert {"aa", "ih", "closed"} <= visemes  # a in hao, i in ni, b/m in bo wu guan / men


def test_deterministic_and_parameters():
    a = synthesize("Deterministic speech.", "en")
    b = synthesize("Deterministic speech.", "en")
    # libespeak-ng 1.51 carries wave-generator state (noise, phase) from one call to the next:
    # phoneme timings are identical, the samples differ by a few samples' worth of noise
    assert [p.symbol for p in a.phonemes] == [p.symbol for p in b.phonemes]
    assert max(abs(p.start - q.start) for p, q in zip(a.phonemes, b.phonemes, strict=False)) <= 0.002
    assert abs(len(a.samples) - len(b.samples)) < 0.002 * a.rate
    n = min(len(a.samples), len(b.samples))
    ea = envelope(a.samples[:n], a.rate, 60, int(n / a.rate * 60))
    eb = envelope(b.samples[:n], b.rate, 60, int(n / b.rate * 60))
    assert np.corrcoef(ea, eb)[0, 1] > 0.99
    fast = synthesize("Deterministic speech.", "en", rate=300)
    assert fast.duration < a.duration * 0.8
    quiet = synthesize("Deterministic speech.", "en", volume=0.5)
    assert 0.4 < np.abs(quiet.samples).max() / np.abs(a.samples).max() < 0.6


def test_thread_safety():
    ref = synthesize("One two three.", "en")
    results = []

    def work():
        results.append(synthesize("One two three.", "en"))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    for r in results:
        assert [p.symbol for p in r.phonemes] == [p.symbol for p in ref.phonemes]
        assert max(abs(p.start - q.start) for p, q in zip(r.phonemes, ref.phonemes, strict=False)) <= 0.02
        assert abs(len(r.samples) - len(ref.samples)) < 0.02 * ref.rate


def test_bad_input():
    with pytest.raises(SpeechError, match="supported: zh, en"):
        synthesize("hello", "fr")
    for empty in ("", "   \n\t"):
        with pytest.raises(SpeechError, match="empty"):
            synthesize(empty, "en")


def test_espeak_missing_names_the_package(monkeypatch):
    import engine.speech.tts as tts

    monkeypatch.setattr(tts.shutil, "which", lambda name: None)
    with pytest.raises(SpeechError, match="Debian package 'espeak-ng'"):
        tts._synth_cli("hello", "en", 175, 50)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng command not installed")
def test_cli_fallback_times_phonemes_from_the_audio():
    import engine.speech.tts as tts

    pcm, rate, events = tts._synth_cli("Hello world. The quick brown fox.", "en", 175, 50)
    assert rate == 22050 and len(pcm) > rate
    syms = [s for _, s in events if not is_silence(s)]
    assert syms[:4] == ["h", "@", "l", "oU"]
    assert [t for t, _ in events] == sorted(t for t, _ in events)


def test_phoneme_onsets_match_acoustic_onsets(utterances):
    errors = [abs(p - a) for u in utterances for p, a in speech_onsets(u)]
    assert len(errors) >= 8
    mean = float(np.mean(errors))
    print(f"mean |phoneme onset - acoustic onset| = {mean * 1000:.1f} ms over {len(errors)} onsets")
    assert mean <= 0.040


def test_viseme_track_follows_the_audio(utterances):
    rs, rs0 = [], []
    for u in utterances:
        track = viseme_track(u.phonemes, u.duration, fps=60)
        env = envelope(u.samples, u.rate, 60, len(track.frames))
        rs.append(np.corrcoef(env, track.openness())[0, 1])
        # the deliberate 80 ms lead removed: how well the shapes sit on the sound itself
        rs0.append(np.corrcoef(env, viseme_track(u.phonemes, u.duration, anticipation=0).openness())[0, 1])
    print("Pearson(openness, envelope) with anticipation:", np.round(rs, 3), "without:", np.round(rs0, 3))
    # the 80 ms lead costs correlation at lag 0 by design; judged without it
    assert min(rs0) > 0.45


@pytest.mark.xfail(strict=True, reason="measured 68-85 ms against the 40 ms target: open work in the speech issue")
def test_viseme_onsets_follow_phoneme_onsets(utterances):
    """Onset of weight > 0.5 for each vowel vs its phoneme start minus the anticipation."""
    errors = []
    for u in utterances:
        track = viseme_track(u.phonemes, u.duration, fps=60)
        np.arange(0, u.duration, 0.001)
        # consonant-initial words: any channel crossing half of its peak
        for k, p in enumerate(u.phonemes[1:], 1):
            if is_silence(u.phonemes[k - 1].symbol) and not is_silence(p.symbol) and \
                    u.phonemes[k - 1].end - u.phonemes[k - 1].start > 0.1:
                ts = np.arange(p.start - 0.25, p.start + 0.05, 0.001)
                tot = np.array([sum(track.weights_at(t).values()) for t in ts])
                if tot.max() > 0.2:
                    errors.append(abs(ts[np.nonzero(tot > 0.5 * tot.max())[0][0]] - (p.start - ANTICIPATION)))
    mean = float(np.mean(errors))
    print(f"mean |viseme onset (50 %) - (phoneme onset - {ANTICIPATION * 1000:.0f} ms)| = {mean * 1000:.1f} ms, n={len(errors)}")
    assert len(errors) >= 5 and mean <= 0.040


def test_mouth_closed_in_silences(utterances):
    for u in utterances:
        track = viseme_track(u.phonemes, u.duration)
        first = next(p for p in u.phonemes if not is_silence(p.symbol))
        # leading silence (before the anticipation starts moving) and after the end
        for t in np.arange(0, max(0.0, first.start - ANTICIPATION - 0.08), 0.005):
            assert max(track.weights_at(t).values()) < 0.05
        assert max(track.weights_at(u.duration + 0.1).values()) == 0.0
        last = max(p.end for p in u.phonemes if not is_silence(p.symbol))
        assert max(track.weights_at(min(u.duration, last + 0.1)).values()) < 0.1
        # between sentences: the middle of every long pause
        for p in u.phonemes:
            if is_silence(p.symbol) and p.end - p.start > 0.25 and p.end < last:
                assert max(track.weights_at((p.start + p.end) / 2 - ANTICIPATION).values()) < 0.05, p


def test_track_api_and_json(utterances):
    u = utterances[0]
    track = viseme_track(u.phonemes, u.duration, fps=30)
    keys = json.loads(track.to_json())["keys"]
    assert keys == track.keys and keys
    assert set(keys[0]) == {"t", "viseme", "weight"}
    assert {k["viseme"] for k in keys} <= set(CHANNELS)
    assert all(0.0 <= k["weight"] <= 1.0 for k in keys)
    w = track.weights_at(1.5)
    assert set(w) == set(CHANNELS) and all(0 <= v <= 1 for v in w.values())
    assert phoneme_viseme("p") == "closed" and phoneme_viseme("v") == "teeth" and phoneme_viseme("_:") == "rest"
    assert phoneme_viseme("'u51") == "ou" and phoneme_viseme("A:") == "aa" and phoneme_viseme("i:") == "ih"
    # "mother": closed on m, then open
    m = synthesize("mama", "en")
    tm = viseme_track(m.phonemes, m.duration)
    assert tm.channel("closed").max() > 0.8 and tm.channel("aa").max() > 0.5


@pytest.mark.skipif(not JFK.is_file(), reason=f"{JFK} not present (shared test data)")
def test_lipsync_jfk():
    samples, rate = __import__("engine.audio.decode", fromlist=["load_sound"]).load_sound(JFK)
    track = lipsync_from_file(JFK, fps=60)
    assert abs(track.duration - 11.0) < 0.1
    env = envelope(samples[:, 0], rate, 60, len(track.frames))
    r = np.corrcoef(env, track.openness())[0, 1]
    print(f"JFK: Pearson(openness, envelope) = {r:.3f}")
    assert r > 0.6
    op = track.openness()
    # the long pauses after "Americans" (~2.4-3.3 s) and before "ask not" are silent; speech is open
    assert op[int(2.6 * 60):int(3.2 * 60)].max() < 0.05
    assert op[int(0.0 * 60):int(0.2 * 60)].max() < 0.05
    assert op[int(1.4 * 60):int(2.0 * 60)].max() > 0.5
    assert 0.4 < (op > 0.05).mean() < 0.85
    assert track.frames[:, :5].sum(axis=0).argmax() in (0, 3, 4)  # speech is mostly aa/ee/oh, not all ih


def test_lipsync_silence_and_tone():
    rate = 48000
    silent = lipsync_from_audio(np.zeros(rate, np.float32), rate)
    assert silent.frames.max() == 0.0


def test_lipsync_bad_files(tmp_path):
    with pytest.raises(SoundError, match="missing.wav"):
        lipsync_from_file(tmp_path / "missing.wav")
    bad = tmp_path / "corrupt.mp3"
    bad.write_bytes(b"this is not audio" * 100)
    with pytest.raises(SoundError, match="corrupt.mp3"):
        lipsync_from_file(bad)
    badwav = tmp_path / "corrupt.wav"
    badwav.write_bytes(b"RIFF\x00\x00garbage")
    with pytest.raises(SoundError, match="corrupt.wav"):
        lipsync_from_file(badwav)
