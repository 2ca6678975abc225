"""The `persona` command as a user runs it: exit codes, messages, JSON shapes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import HEADER, REPO

PERSONA = Path(sys.executable).parent / "persona"


def persona(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    command = [str(PERSONA)] if PERSONA.exists() else [sys.executable, "-m", "game.cli"]
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_help_and_version():
    result = persona("--help")
    assert result.returncode == 0
    for word in ("validate", "play", "bench", "examples:"):
        assert word in result.stdout
    assert persona("--version").stdout.strip().startswith("persona 0.")
    assert persona("play", "--help").returncode == 0


def test_validate_reports_file_line_col_and_exits_1(project):
    bad = project.scene('[scene]\nid = "x"\ntitle = "t"\n[[entity]]\nname = "a"\n[entity.camera]\nfov_deg = 900\n')
    result = persona("validate", str(bad))
    assert result.returncode == 1
    assert f"{bad}:7:11: error: entity[1].camera.fov_deg: 900 is out of range" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_json_and_folders(project):
    project.scene(HEADER, name="good.toml")
    project.write("scenes/prefabs/p.toml", '[camera]\nfov_deg = "x"\n')
    result = persona("validate", str(project.root / "scenes"), "--json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    kinds = {Path(f["path"]).name: (f["kind"], f["ok"]) for f in document["files"]}
    assert kinds == {"good.toml": ("scene", True), "p.toml": ("prefab", False)}
    assert document["errors"] == 1


def test_validate_missing_path():
    result = persona("validate", "no/such/scene.toml")
    assert result.returncode == 1 and "no such file" in result.stdout


def test_play_headless_json_shape():
    result = persona("play", "scenes/demo.toml", "--headless", "--frames", "40", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["frames"] == 40
    assert set(document["systems"]) >= {"fire_cues", "run_behaviours", "propagate_transforms"}
    assert all(isinstance(v, float) for v in document["systems"].values())
    assert [a["do"] for a in document["actions"]][:3] == ["play_sound", "say", "emote"]


def test_play_invalid_scene_prints_errors_not_a_traceback(project):
    bad = project.scene('[scene]\nid = "x"\n')
    result = persona("play", str(bad), "--headless", "--frames", "5")
    assert result.returncode == 1
    assert ":1:2: error: missing required field 'title'" in result.stderr
    assert "Traceback" not in result.stderr
    assert persona("play", "nope.toml", "--headless").returncode == 1


def test_play_simulated_events():
    result = persona("play", "scenes/airport-guide.toml", "--headless", "--frames", "150", "--json",
                     "--event", "viewer_arrived@1", "--event", "menu_choice=flights@3")
    said = [a["text"] for a in json.loads(result.stdout)["actions"] if a["do"] == "say"]
    assert len(said) == 2 and "航班" in said[1]
    bad = persona("play", "scenes/airport-guide.toml", "--headless", "--event", "menu_choice@3")
    assert bad.returncode == 1 and "needs a value" in bad.stderr


@pytest.mark.slow
def test_bench_json_shape():
    result = persona("bench", "ecs_frame", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document["machine"]) >= {"python", "cpus"}
    (row,) = document["rows"]
    assert row["name"] == "ecs_frame" and row["baseline"] == "plain python loop"
    assert row["value"] > 0 and row["baseline_value"] > 0
    assert row["ratio"] == pytest.approx(row["value"] / row["baseline_value"], rel=0.01)
    assert row["met"] == (row["ratio"] <= 3.0)
    assert persona("bench", "nope").returncode == 1


@pytest.mark.slow
def test_play_in_real_time_reloads_an_edited_scene_and_survives_a_bad_edit(project):
    import threading
    import time

    scene = project.scene(HEADER + '[[entity]]\nname = "a"\n')
    started = time.monotonic()

    def edit() -> None:
        # wait until the scene has been read (its access time moves), then edit twice
        first_read = scene.stat().st_atime_ns
        while scene.stat().st_atime_ns == first_read and time.monotonic() - started < 20:
            time.sleep(0.05)
        time.sleep(1.5)
        scene.write_text(scene.read_text() + '[[entity]]\nname = "b"\n')
        time.sleep(1.5)
        scene.write_text(scene.read_text() + '[[entity]]\nname = "b"\n')  # duplicate name: invalid

    editor = threading.Thread(target=edit)
    editor.start()
    result = persona("play", str(scene), "--no-window", "--frames", "240", "--json")  # 8 s in real time
    editor.join()
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["frames"] == 240 and document["reloads"] == 1
    assert any("duplicate entity name 'b'" in line for line in document["reload_errors"])


def test_avatar_make_and_inspect(tmp_path):
    out = tmp_path / "guide.glb"
    made = persona("avatar", "make", "--style", "guide", "--seed", "3", "--set", "hair_style=bob",
                   "-o", str(out), "--json")
    assert made.returncode == 0, made.stderr
    document = json.loads(made.stdout)
    assert document["joints"] == 55 and document["morph_targets"] == 57 and out.stat().st_size == document["bytes"]
    inspected = json.loads(persona("avatar", "inspect", str(out), "--json").stdout)
    assert inspected["vrm_version"] == "1.0" and inspected["vertices"] == document["vertices"]
    text = persona("avatar", "inspect", str(out)).stdout
    assert "VRM 1.0" in text and "eyeBlinkLeft" in text


def test_avatar_commands_reject_bad_input(tmp_path):
    bad = persona("avatar", "make", "--set", "hair_style=mohawk", "-o", str(tmp_path / "x.glb"))
    assert bad.returncode == 1 and "hair_style 'mohawk'" in bad.stderr
    assert not (tmp_path / "x.glb").exists()
    assert persona("avatar", "make", "-o", str(tmp_path / "x.txt")).returncode == 1
    broken = tmp_path / "broken.glb"
    broken.write_bytes(b"glTF\x02\x00\x00\x00")
    result = persona("avatar", "inspect", str(broken))
    assert result.returncode == 1 and "broken.glb: header" in result.stderr and "Traceback" not in result.stderr
    assert persona("avatar").returncode == 2


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed (make setup installs it)")
def test_play_opens_a_window_on_a_virtual_display(tmp_path):
    command = [str(PERSONA)] if PERSONA.exists() else [sys.executable, "-m", "game.cli"]
    result = subprocess.run(["xvfb-run", "-a", *command, "play", str(REPO / "scenes" / "demo.toml"),
                             "--frames", "30", "--no-watch", "--json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    document = json.loads(result.stdout)
    assert document["frames"] == 30 and "render" in document["systems"]


def test_play_without_a_display_falls_back_to_the_terminal(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    command = [str(PERSONA)] if PERSONA.exists() else [sys.executable, "-m", "game.cli"]
    result = subprocess.run([*command, "play", str(REPO / "scenes" / "demo.toml"), "--frames", "20",
                             "--no-watch"], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0 and "cannot open a window" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_speak_writes_a_wav_and_viseme_keys(tmp_path):
    from scipy.io import wavfile

    wav, keys = tmp_path / "hi.wav", tmp_path / "hi.json"
    result = persona("speak", "您好，欢迎光临。", "--lang", "zh", "-o", str(wav), "--visemes", str(keys), "--json")
    assert result.returncode == 0, result.stderr
    rate, pcm = wavfile.read(wav)
    assert rate == 48000 and pcm.dtype == np.int16 and np.abs(pcm).max() > 1000
    document = json.loads(keys.read_text(encoding="utf-8"))
    assert document["phonemes"] and {"t", "viseme", "weight"} <= set(document["visemes"][0])
    assert document["duration"] == pytest.approx(len(pcm) / rate, abs=0.05)


def test_speak_rejects_bad_input_clearly(tmp_path):
    bad = persona("speak", "hello", "--lang", "fr", "-o", str(tmp_path / "x.wav"))
    assert bad.returncode == 1 and "supported: zh, en" in bad.stderr and not (tmp_path / "x.wav").exists()
    missing = persona("speak", "--audio", str(tmp_path / "nope.wav"), "--visemes", str(tmp_path / "x.json"))
    assert missing.returncode == 1 and "nope.wav" in missing.stderr and "Traceback" not in missing.stderr
    assert persona("speak", "   ", "-o", str(tmp_path / "y.wav")).returncode == 1
