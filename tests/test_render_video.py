"""`persona render` end to end: a real MP4 decoded and checked, captions, label, cover, determinism."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.record.probe import decode_summary, read_frame
from game.render import RenderOptions, RenderRefused, render_video
from tests.conftest import HEADER, REPO, TESTDATA

pytestmark = pytest.mark.slow

SIZE = (270, 480)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("render") / "demo.mp4"
    report = render_video(RenderOptions(REPO / "scenes" / "demo.toml", out, *SIZE, fps=30.0, duration=5.0))
    return out, report


def test_streams_size_fps_duration_and_audio(demo):
    out, report = demo
    summary = decode_summary(out)
    video, audio = summary["video"], summary["audio"]
    assert (video["codec"], video["width"], video["height"], video["pix_fmt"]) == ("h264", *SIZE, "yuv420p")
    assert video["fps"] == pytest.approx(30.0) and video["frames"] == report.frames == 150
    assert abs(summary["duration_s"] - 5.0) <= 1 / 30
    assert summary["faststart"]
    assert (audio["codec"], audio["sample_rate"], audio["channels"]) == ("aac", 48000, 2)
    assert audio["rms"] > 0.01, "the demo's music should be audible"


def test_metadata_marks_the_video_as_ai_generated(demo):
    metadata = decode_summary(demo[0])["metadata"]
    assert json.loads(metadata["AIGC"])["Label"] == "1"
    assert "Persona" in metadata["software"] and metadata["scene_id"] == "demo"


def test_avatar_is_visible_and_centred(demo):
    frame = read_frame(demo[0], 45).astype(int)
    background = np.median(np.concatenate([frame[:, :8].reshape(-1, 3), frame[:, -8:].reshape(-1, 3)]), axis=0)
    centre = frame[SIZE[1] // 4: SIZE[1] // 2, SIZE[0] // 3: 2 * SIZE[0] // 3]
    assert np.abs(centre - background).sum(axis=2).mean() > 60, "the face region should differ from the sides"


def test_srt_sidecar_holds_the_spoken_lines(demo):
    srt = demo[0].with_suffix(".srt").read_text(encoding="utf-8")
    assert "00:00:00,500 --> " in srt and "this whole scene is a TOML file" in srt


CAPTION_SCENE = HEADER + """
duration = 3.0
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
do = "caption"
text = "字幕 captions"
duration = 1.0
"""


def _rows_changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rows where two decoded frames differ by more than H.264's lossy noise (mean > 4 levels)."""
    return np.flatnonzero(np.abs(a.astype(int) - b.astype(int)).mean(axis=(1, 2)) > 4.0)


def test_captions_only_while_active_and_the_label_always(project):
    """Renders are deterministic, so the same scene without the cue differs only by the caption.

    (Only up to the encoder's noise once frames diverge: rate control carries state across frames.)
    """
    with_cue = project.root / "with.mp4"
    without = project.root / "without.mp4"
    render_video(RenderOptions(project.scene(CAPTION_SCENE), with_cue, *SIZE, duration=3.0))
    render_video(RenderOptions(project.scene(CAPTION_SCENE.split("[[cue]]")[0], name="bare.toml"), without,
                               *SIZE, duration=3.0))
    for index in (15, 75):  # before and after the caption
        assert _rows_changed(read_frame(with_cue, index), read_frame(without, index)).size == 0, index
    rows = _rows_changed(read_frame(with_cue, 45), read_frame(without, 45))
    assert rows.size > 10 and rows.min() > SIZE[1] * 0.55, "the caption sits in the lower part only"
    unlabelled = project.root / "unlabelled.mp4"
    render_video(RenderOptions(project.scene(CAPTION_SCENE.split("[[cue]]")[0], name="bare.toml"), unlabelled,
                               *SIZE, duration=3.0, label=False))
    rows = _rows_changed(read_frame(without, 15), read_frame(unlabelled, 15))
    assert rows.size > 5 and rows.max() < SIZE[1] * 0.12, "the AI label sits in the top band"


def test_cover_is_written(demo):
    from PIL import Image

    with Image.open(demo[0].with_suffix(".jpg")) as cover:
        assert cover.format == "JPEG" and cover.size == SIZE


def test_same_scene_same_seed_same_frames(tmp_path):
    """Two runs of `persona render` (fresh processes, as users run it) decode to identical frames.

    (Two renders inside one process can still differ in a few edge pixels: see the closing
    notes; each `persona render` is its own process.)
    """
    import subprocess
    import sys

    outputs = []
    for name in ("first.mp4", "second.mp4"):
        out = tmp_path / name
        done = subprocess.run([sys.executable, "-m", "game.cli", "render", str(REPO / "scenes" / "demo.toml"),
                               "-o", str(out), "--size", f"{SIZE[0]}x{SIZE[1]}", "--duration", "5", "--json"],
                              cwd=REPO, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.append(out)
    for index in (0, 60, 149):
        assert np.array_equal(read_frame(outputs[0], index), read_frame(outputs[1], index)), index


def test_interrupted_render_leaves_nothing(tmp_path):
    out = tmp_path / "stopped.mp4"

    def stop(done: int, total: int) -> None:
        if done == 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render_video(RenderOptions(REPO / "scenes" / "demo.toml", out, *SIZE, duration=2.0), stop)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not TESTDATA.is_dir(), reason="../shared/testdata is absent (a user's clone)")
def test_licence_refusal_and_required_credits(project):
    import shutil

    shutil.copy(TESTDATA / "vrm" / "Godette_vrm_v4.vrm", project.root / "assets" / "godette.vrm")
    body = HEADER + 'duration = 1.0\nuse = "{use}"\n[[entity]]\nname = "host"\n[entity.avatar]\nasset = "godette.vrm"\n'
    scene = project.scene(body.format(use="personal"))
    out = project.root / "ok.mp4"
    report = render_video(RenderOptions(scene, out, *SIZE, duration=1.0))
    assert report.credits == ["Avatar: Low-Poly Godette by SirRichard94 (https://creativecommons.org/licenses/by/)"]
    # a VRM whose licence forbids commercial use: refused before any file is written
    from engine.assets.gltf_writer import write_glb
    from engine.assets.maker import AvatarParams, make_avatar

    asset = make_avatar(AvatarParams.from_style("guide", 1))
    asset.vrm.meta.commercial_usage = "personalNonProfit"
    write_glb(asset, project.root / "assets" / "private.glb")
    scene = project.scene(body.format(use="commercial").replace("godette.vrm", "private.glb"), name="b.toml")
    refused = project.root / "refused.mp4"
    with pytest.raises(RenderRefused, match="personal, non-profit use only"):
        render_video(RenderOptions(scene, refused, *SIZE, duration=1.0))
    assert not refused.exists()


def test_alpha_png_sequence_for_compositing(project):
    out, alpha = project.root / "a.mp4", project.root / "alpha"
    report = render_video(RenderOptions(project.scene(CAPTION_SCENE), out, *SIZE, duration=0.5, alpha_dir=alpha))
    frames = sorted(alpha.glob("frame_*.png"))
    assert len(frames) == report.frames == 15 and f"{alpha}/frame_%05d.png" in report.files
    from PIL import Image

    rgba = np.asarray(Image.open(frames[5]))
    assert rgba.shape == (SIZE[1], SIZE[0], 4)
    assert rgba[0, 0, 3] == 0 and rgba[SIZE[1] // 3, SIZE[0] // 2, 3] == 255, "clear backdrop, opaque avatar"
    assert not any(p.name.startswith(".") for p in project.root.iterdir()), "no partial folder left"
