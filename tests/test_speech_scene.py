"""Speech in scenes: a `say` cue is voiced at the speaker, moves the mouth, and times its caption."""

from __future__ import annotations

import numpy as np
import pytest

from engine.speech import backend
from tests.conftest import HEADER

pytestmark = pytest.mark.skipif(backend() == "none", reason="espeak-ng (Debian package espeak-ng) not installed")

SCENE = HEADER + """
duration = 4.0
[[entity]]
name = "host"
[entity.avatar]
style = "guide"
[[entity]]
name = "cam"
[entity.camera]
target = "host"
shot = "medium"
[[cue]]
at = 1.0
do = "say"
who = "host"
text = "Hello, and welcome to the show."
"""


def _mouth(app) -> float:
    from engine.components.avatar import AvatarModel, PoseState

    ((_, (model, state)),) = app.world.query(AvatarModel, PoseState)
    names = model.asset.meshes[0].target_names
    weights = state.pose.weights[0]
    return max(float(weights[names.index(n)]) for n in ("aa", "ih", "ou", "ee", "oh", "jawOpen") if n in names)


def test_say_moves_the_mouth_while_speaking_only(project):
    from engine.events import Spoken
    from engine.scene.runtime import scene_app

    app, _ = scene_app(project.scene(SCENE))
    app.run(20)  # 0.67 s: not speaking yet
    assert _mouth(app) < 0.05
    reader = app.world.events.reader(Spoken)
    peaks, lines = [], []
    for _ in range(45):  # 1.0 .. 2.5 s: speaking
        app.step()
        peaks.append(_mouth(app))
        lines += list(reader.read())  # events live two frames: read as they come
    (line,) = lines
    assert line.start == pytest.approx(1.0, abs=0.04) and 1.0 < line.duration < 3.5
    assert max(peaks) > 0.3
    app.run(round((line.duration + 0.5) * 30))  # well after the line
    assert _mouth(app) < 0.05


@pytest.mark.slow
def test_rendered_line_is_audible_and_its_caption_follows_the_voice(project):
    from engine.record.probe import decode_summary
    from game.render import RenderOptions, render_video

    out = project.root / "line.mp4"
    render_video(RenderOptions(project.scene(SCENE), out, 270, 480, duration=4.0))
    import av

    with av.open(str(out)) as container:
        samples = np.concatenate([f.to_ndarray().mean(axis=0) for f in container.decode(audio=0)])
    rate = decode_summary(out)["audio"]["sample_rate"]
    before = np.sqrt(np.mean(samples[: int(0.9 * rate)] ** 2))
    during = np.sqrt(np.mean(samples[int(1.2 * rate): int(2.2 * rate)] ** 2))
    assert during > 0.01 and during > 20 * before, (before, during)
    srt = out.with_suffix(".srt").read_text(encoding="utf-8")
    start, end = srt.splitlines()[1].split(" --> ")
    seconds = [int(t[:2]) * 3600 + int(t[3:5]) * 60 + int(t[6:8]) + int(t[9:]) / 1000 for t in (start, end)]
    assert seconds[0] == pytest.approx(1.0, abs=0.04) and 1.5 < seconds[1] - seconds[0] < 4.0


def test_a_recorded_line_plays_with_lip_sync_from_its_audio(project):
    from scipy.io import wavfile

    from engine.events import Spoken
    from engine.scene.runtime import scene_app

    rate = 48000
    t = np.arange(int(1.2 * rate)) / rate
    voice = (0.4 * np.sin(2 * np.pi * 180 * t) * (np.sin(2 * np.pi * 3 * t) > 0)).astype(np.float32)  # syllables
    (project.root / "assets" / "voice").mkdir()
    wavfile.write(project.root / "assets" / "voice" / "line.wav", rate, voice)
    scene = SCENE.replace('text = "Hello, and welcome to the show."', 'audio = "voice/line.wav"\ntext = "Welcome"')
    app, _ = scene_app(project.scene(scene))
    reader = app.world.events.reader(Spoken)
    lines, peaks = [], []
    for _ in range(70):
        app.step()
        lines += list(reader.read())
        peaks.append(_mouth(app))
    (line,) = lines
    assert line.duration == pytest.approx(1.2, abs=0.01) and line.text == "Welcome"
    assert max(peaks) > 0.2


def test_say_needs_text_or_audio(project):
    from engine.scene import check_scene

    scene = SCENE.replace('text = "Hello, and welcome to the show."\n', "")
    (diagnostic,) = check_scene(project.scene(scene))
    assert "needs text, audio or both" in diagnostic.message
