"""`persona render`: a scene to a finished short video (MP4 + .srt + cover), frame by frame, offline."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from engine.app import App, Clock
from engine.assets.licence import licence_report
from engine.components import Name
from engine.components.avatar import AvatarModel
from engine.ecs import EventReader, World
from engine.events import Caption, Say, Spoken
from engine.scene.actions import SceneInfo
from engine.scene.loader import load_scene
from engine.scene.runtime import SceneRunner, scene_app

DEFAULT_DURATION_S = 10.0
# A line that could not be spoken is captioned for about as long as it takes to read it.
_READ_CHARS_PER_S = {"zh": 4.5, "en": 14.0}


class RenderRefused(Exception):
    """The scene may not be rendered (e.g. an avatar licence forbids the declared use)."""


@dataclass(slots=True)
class RenderOptions:
    """What to render and how."""

    scene: Path
    output: Path
    width: int = 1080
    height: int = 1920
    fps: float = 30.0
    duration: float | None = None
    seed: int | None = None
    crf: int = 20
    label: bool = True
    cover: bool = True
    srt: bool = True
    alpha_dir: Path | None = None  # also write an RGBA PNG sequence (transparent background) here


@dataclass
class RenderReport:
    """What a render produced and where the time went."""

    output: str
    frames: int
    duration: float
    wall_s: float
    stages: dict[str, float]
    captions: int
    credits: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def realtime_factor(self) -> float:
        """Clip seconds per wall-clock second."""
        return self.duration / self.wall_s if self.wall_s else 0.0

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document."""
        return {"output": self.output, "frames": self.frames, "duration": round(self.duration, 4),
                "wall_s": round(self.wall_s, 3), "realtime_factor": round(self.realtime_factor, 3),
                "stages_s": {k: round(v, 3) for k, v in self.stages.items()}, "captions": self.captions,
                "credits": self.credits, "files": self.files, "problems": self.problems}


def caption_seconds(text: str, lang: str) -> float:
    """How long a spoken line stays on screen before speech timing exists (reading speed)."""
    return max(1.5, len(text) / _READ_CHARS_PER_S.get(lang, 14.0) + 0.5)


class _CaptionFeed:
    """Turns spoken lines (timed by their speech) and Caption actions into timed caption entries."""

    def __init__(self) -> None:
        self._world: World | None = None
        self._readers: tuple[EventReader, EventReader, EventReader] | None = None

    def poll(self, world: World, now: float) -> list[tuple[float, float, str]]:
        if world is not self._world:
            self._world = world
            self._readers = (world.events.reader(Say), world.events.reader(Caption), world.events.reader(Spoken))
        assert self._readers is not None
        language = world.resources.get(SceneInfo).doc.language
        entries = []
        spoken = {(s.who, s.text): s for s in self._readers[2].read()}
        for say in self._readers[0].read():
            if not say.text:  # a recorded line without a transcript has no caption
                continue
            line = spoken.get((say.who, say.text))
            if line is not None:  # the caption stays up as long as the voice speaks
                entries.append((line.start, line.start + line.duration + 0.3, say.text))
            else:  # not spoken (no speech for it): as long as it takes to read it
                entries.append((now, now + caption_seconds(say.text, say.lang or language), say.text))
        for caption in self._readers[1].read():
            entries.append((now, now + caption.duration, caption.text))
        return entries


def _avatar_assets(world: World) -> dict[str, Any]:
    assets = {}
    for entity, model in world.query_one(AvatarModel):
        name = world.try_get(entity, Name)
        assets[name.value if name else str(entity)] = model.asset
    return assets


def build_render_app(options: RenderOptions) -> tuple[App, SceneRunner, Any]:
    """The scene app with camera rig, renderer and offline audio; returns (app, runner, renderer)."""
    from engine.audio import make_offline_mixer
    from engine.audio.plugin import AudioPlugin
    from engine.render.backend import OffscreenRenderer
    from engine.render.plugin import RenderPlugin
    from engine.render.shots_system import CameraRigPlugin

    tick_hz = 60.0 if options.fps > 30 else 30.0
    app, runner = scene_app(options.scene, tick_hz=tick_hz, frame_rate=options.fps, seed=options.seed,
                            start=False)
    renderer = OffscreenRenderer(options.width, options.height)
    app.add_plugin(CameraRigPlugin(aspect=options.width / options.height))
    app.add_plugin(AudioPlugin(make_offline_mixer()))
    app.add_plugin(RenderPlugin(renderer))
    runner.start()
    return app, runner, renderer


def render_video(options: RenderOptions, progress: Callable[[int, int], None] | None = None) -> RenderReport:
    """Render ``options.scene`` to ``options.output``; SceneError / RenderRefused before any file is written."""
    from engine.audio.plugin import AudioFrames
    from engine.record.background import BackgroundWriter
    from engine.record.captions import CaptionTrack
    from engine.record.cover import write_cover
    from engine.record.metadata import video_metadata
    from engine.record.overlay import Overlay
    from engine.record.video import VideoWriter
    from engine.render.plugin import RenderedFrame

    doc = load_scene(options.scene)  # validation errors surface before anything starts
    use = doc.meta.get("use", "personal")
    duration = options.duration or doc.duration or DEFAULT_DURATION_S
    frames = max(1, round(duration * options.fps))
    app, runner, renderer = build_render_app(options)
    try:
        refusals, credits = licence_report(_avatar_assets(app.world), use)
        if refusals:
            raise RenderRefused("\n".join(refusals))
        overlay = Overlay(options.width, options.height)
        track = CaptionTrack()
        feed = _CaptionFeed()
        seed = options.seed if options.seed is not None else doc.seed
        metadata = video_metadata(doc.id, doc.title, seed)
        stages = {"simulate": 0.0, "deform": 0.0, "render": 0.0, "readback": 0.0, "overlay": 0.0, "encode": 0.0}
        cover_frame: np.ndarray | None = None
        alpha_temp = _alpha_temp(options.alpha_dir) if options.alpha_dir else None
        start = time.perf_counter()
        with BackgroundWriter(VideoWriter(options.output, options.width, options.height, options.fps,
                                          crf=options.crf, metadata=metadata)) as writer:
            for index in range(frames):
                t0 = time.perf_counter()
                now = app.world.resources.get(Clock).time
                app.step()
                step_s = time.perf_counter() - t0
                world = app.world
                shown = world.resources.get(RenderedFrame)
                stages["render"] += shown.render_s
                stages["readback"] += shown.readback_s
                deform_s = sum(s.samples[-1] for s in app.systems if s.phase.name == "DEFORM" and s.samples)
                stages["deform"] += deform_s
                stages["simulate"] += max(0.0, step_s - deform_s - shown.render_s - shown.readback_s)
                t1 = time.perf_counter()
                for begin, end, text in feed.poll(world, now):
                    track.add(begin, end, text)
                if alpha_temp is not None:  # a second pass without backdrop or floor, no overlays
                    Image.fromarray(renderer.render_rgba()).save(alpha_temp / f"frame_{index:05d}.png",
                                                                 compress_level=1)
                frame = shown.frame.copy()
                frame_time = index / options.fps
                text = track.active_at(frame_time)
                if text is not None:
                    overlay.caption(frame, text)
                if credits:
                    overlay.credits(frame, credits)
                if options.label:
                    overlay.label(frame)
                if cover_frame is None and index >= frames // 3:
                    cover_frame = frame.copy()
                t2 = time.perf_counter()
                stages["overlay"] += t2 - t1
                writer.write_video(frame)
                writer.write_audio(world.resources.get(AudioFrames).samples)
                stages["encode"] += time.perf_counter() - t2
                if progress is not None:
                    progress(index + 1, frames)
        # the encoder worked in parallel: report its own busy time, not the time spent queueing
        stages["encode"] = writer.writer.encode_s
        wall = time.perf_counter() - start
        files = [str(options.output)]
        if options.srt:
            srt = options.output.with_suffix(".srt")
            track.write_srt(srt)
            files.append(str(srt))
        if options.cover and cover_frame is not None:
            cover = options.output.with_suffix(".jpg")
            write_cover(cover_frame, cover)
            files.append(str(cover))
        if alpha_temp is not None and options.alpha_dir is not None:
            if options.alpha_dir.exists():
                shutil.rmtree(options.alpha_dir)
            alpha_temp.rename(options.alpha_dir)
            files.append(f"{options.alpha_dir}/frame_%05d.png")
        from engine.assets.library import AvatarLibrary

        library = app.world.resources.try_get(AvatarLibrary)
        return RenderReport(str(options.output), frames, frames / options.fps, wall, stages, len(track),
                            credits, files, list(library.problems) if library else [])
    except BaseException:
        if options.alpha_dir is not None:
            shutil.rmtree(_alpha_temp_path(options.alpha_dir), ignore_errors=True)
        raise
    finally:
        renderer.close()
        app.world.close()


def _alpha_temp_path(folder: Path) -> Path:
    return folder.with_name(f".{folder.name}.partial")


def _alpha_temp(folder: Path) -> Path:
    """A fresh hidden folder beside ``folder``; renamed to it once every frame is written."""
    temp = _alpha_temp_path(folder)
    shutil.rmtree(temp, ignore_errors=True)
    temp.mkdir(parents=True)
    return temp


