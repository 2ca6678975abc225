"""AudioPlugin: exact samples per frame, the camera as listener, PlaySound from code and from scene cues."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.app import App, Phase
from engine.audio import AudioFrames, AudioMixer, AudioPlugin, Mixer
from engine.audio.plugin import sound_tag
from engine.components import Camera, WorldTransform
from engine.ecs import World
from engine.events import PlaySound
from engine.scene.runtime import scene_app
from tests.conftest import Project
from tests.test_audio import rms, sine, write_wav


def collect(app: App) -> list[AudioFrames]:
    """Append every frame's AudioFrames (registered after the audio system, in SESSION)."""
    frames: list[AudioFrames] = []
    app.add_system(lambda world, dt: frames.append(world.resources.get(AudioFrames)), Phase.SESSION,
                   name="collect_audio")
    return frames


@pytest.mark.parametrize("fps,count", [(30.0, 30), (29.97, 100), (24.0, 49), (60.0, 7)])
def test_samples_per_frame_are_exact(fps: float, count: int) -> None:
    app = App(frame_rate=fps)
    app.add_plugin(AudioPlugin(Mixer()))
    frames = collect(app)
    app.run(count)
    sizes = [len(f.samples) for f in frames]
    assert sum(sizes) == round(48000 * count / fps)
    assert max(sizes) - min(sizes) <= 1
    assert [f.index for f in frames] == list(range(count))
    starts = np.cumsum([0, *sizes[:-1]])
    assert [f.start_sample for f in frames] == starts.tolist()
    assert all(f.samples.shape[1] == 2 and f.samples.dtype == np.float32 for f in frames)


def test_long_ntsc_render_stays_sample_accurate() -> None:
    plugin = AudioPlugin(Mixer())
    total = sum(plugin.samples_for(1.0 / 29.97) for _ in range(17982))
    assert total == round(48000 * 17982 / 29.97)  # ten minutes of NTSC frames, not one sample off


def camera_matrix(yaw_deg: float, position: tuple[float, float, float]) -> np.ndarray:
    """A camera turned ``yaw_deg`` about +Y (0: looking down -Z)."""
    a = np.radians(yaw_deg)
    m = np.eye(4)
    m[:3, :3] = [[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]]
    m[:3, 3] = position
    return m


def test_listener_follows_the_active_camera() -> None:
    app = App()
    world = World("audio")
    world.spawn_now(Camera(active=False), WorldTransform(camera_matrix(0.0, (5.0, 0, 0))))
    world.spawn_now(Camera(active=True), WorldTransform(camera_matrix(90.0, (0.0, 1.6, 2.0))))
    app.set_world(world)
    plugin = AudioPlugin(Mixer())
    app.add_plugin(plugin)
    app.step()
    listener = plugin.mixer.listener
    np.testing.assert_allclose(listener.position, [0.0, 1.6, 2.0])
    np.testing.assert_allclose(listener.forward, [-1.0, 0.0, 0.0], atol=1e-12)  # turned left: looks down -X
    np.testing.assert_allclose(listener.up, [0.0, 1.0, 0.0], atol=1e-12)
    # facing -X, the camera's left is +Z
    voice = plugin.mixer.play(sine(0.2), position=(0.0, 1.6, 4.0))
    level = rms(plugin.mixer.render(4800))
    assert level[0] > 10 * level[1]
    plugin.mixer.stop(voice)


def test_play_sound_action_starts_music(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "music" / "loop.wav", np.stack([sine(0.1), sine(0.1)], axis=1))
    app = App()
    plugin = AudioPlugin(Mixer())
    app.add_plugin(plugin)
    frames = collect(app)
    app.world.events.send(PlaySound(str(path), volume=0.5, loop=True))
    app.run(10)
    assert all(np.any(f.samples) for f in frames)
    assert rms(np.concatenate([f.samples for f in frames]))[0] == pytest.approx(0.25 / np.sqrt(2), rel=0.02)
    (voice,) = plugin.mixer.voices.values()
    assert voice.tag == "music" and voice.loop
    assert app.world.resources.get(AudioMixer).mixer is plugin.mixer


def test_bad_sound_is_logged_not_raised(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF nonsense")
    app = App()
    app.add_plugin(AudioPlugin(Mixer()))
    for _ in range(2):
        app.world.events.send(PlaySound(str(broken), source="cue 1"))
        app.step()
    assert caplog.text.count("broken.wav") == 1


def test_sound_tags() -> None:
    assert sound_tag(PlaySound("/x/assets/music/theme.ogg")) == "music"
    assert sound_tag(PlaySound("/x/assets/sfx/ding.wav", loop=True)) == "music"
    assert sound_tag(PlaySound("/x/assets/sfx/ding.wav")) == "effect"


def test_scene_cue_starts_the_music(project: Project) -> None:
    write_wav(project.root / "assets" / "music" / "theme.wav", 0.8 * np.stack([sine(0.25), sine(0.25)], axis=1))
    path = project.scene("""
        [scene]
        id = "music"
        title = "Music"

        [[cue]]
        at = 0.0
        do = "play_sound"
        sound = "music/theme.wav"
        loop = true
        volume = 0.5
        """)
    app, _ = scene_app(path)
    plugin = AudioPlugin(Mixer())
    app.add_plugin(plugin)
    frames = collect(app)
    app.run(30)
    audio = np.concatenate([f.samples for f in frames])
    assert len(audio) == 48000
    assert np.any(frames[0].samples)  # the 0.0 s cue sounds from the first frame
    assert rms(audio)[0] == pytest.approx(0.2 / np.sqrt(2), rel=0.03)
    (voice,) = plugin.mixer.voices.values()
    assert voice.tag == "music" and voice.volume == 0.5
