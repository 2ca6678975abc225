"""SpeechPlugin: `say` lines become voices in the mix and visemes on the speaker's face."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from engine.app import App, Clock, Phase
from engine.ecs import EventReader, World
from engine.events import Say, Spoken
from engine.scene.actions import SceneInfo
from engine.speech.tts import SpeechError, Utterance
from engine.speech.visemes import VisemeTrack, viseme_track
from engine.speech.worker import synthesize_fresh

log = logging.getLogger("persona.speech")
SPEECH_PEAK = 0.9


@dataclass
class SpeechCache:
    """Resource shared by the app's worlds: each line is synthesized once (in a fresh process)."""

    lines: dict[tuple[str, str], tuple[Utterance, VisemeTrack] | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def recorded(self, path: str, text: str = "") -> tuple[Utterance, VisemeTrack] | None:
        """A recorded line and its lip sync computed from the audio (no transcript needed)."""
        key = (f"audio:{path}", "")
        if key not in self.lines:
            from engine.audio.decode import SoundError, load_sound
            from engine.speech.lipsync import lipsync_from_audio

            try:
                samples, rate = load_sound(path)
                mono = samples.mean(axis=1).astype(np.float32) if samples.ndim == 2 else samples
                self.lines[key] = (Utterance(mono, rate, [], text, ""), lipsync_from_audio(mono, rate))
            except SoundError as error:
                message = f"cannot play the recorded line: {error}; the line is captioned only"
                self.problems.append(message)
                log.error(message)
                self.lines[key] = None
        return self.lines[key]

    def line(self, text: str, lang: str) -> tuple[Utterance, VisemeTrack] | None:
        """The utterance and viseme track for ``text``; None (logged once) when it cannot be spoken."""
        key = (text, lang)
        if key not in self.lines:
            try:
                utterance = synthesize_fresh(text, lang)
                peak = float(np.abs(utterance.samples).max()) if len(utterance.samples) else 0.0
                if peak > 0.0:  # espeak-ng speaks quietly: bring every line to the same clear level
                    utterance.samples = (utterance.samples * (SPEECH_PEAK / peak)).astype(np.float32)
                self.lines[key] = (utterance, viseme_track(utterance.phonemes, utterance.duration))
            except SpeechError as error:
                message = f"cannot speak {text[:40]!r}: {error}; the line is captioned only"
                self.problems.append(message)
                log.error(message)
                self.lines[key] = None
        return self.lines[key]


@dataclass
class SayInbox:
    """Resource: this world's cursor over Say actions."""

    reader: EventReader


def _speaker_position(world: World, who: int):
    from engine.components.avatar import AvatarModel, PoseState
    from engine.render.shots import avatar_points
    from engine.render.shots_system import entity_world

    model, state = world.try_get(who, AvatarModel), world.try_get(who, PoseState)
    if model is None or state is None:
        return None
    return avatar_points(model.asset, state.pose, entity_world(world, who)).get("head")


def speak_lines(world: World, dt: float) -> None:
    """Start each new line: its voice at the speaker's head, its visemes on the speaker's face."""
    from engine.anim.face_plugin import FaceState
    from engine.audio.plugin import AudioMixer

    inbox = world.resources.get(SayInbox)
    cache = world.resources.get(SpeechCache)
    now = world.resources.get(Clock).time
    language = world.resources.get(SceneInfo).doc.language
    audio = world.resources.try_get(AudioMixer)
    for say in inbox.reader.read():
        if say.audio:
            spoken = cache.recorded(say.audio, say.text)
        else:
            spoken = cache.line(say.text, say.lang or language)
        if spoken is None:
            continue
        utterance, track = spoken
        face = world.try_get(say.who, FaceState)
        if face is not None:
            face.mixer.play_visemes(track, start=now)
        if audio is not None:
            audio.mixer.play(utterance.samples, utterance.rate, volume=1.0, tag="speech",
                             position=_speaker_position(world, say.who))
        world.events.send(Spoken(say.who, say.text, now, utterance.duration))


class SpeechPlugin:
    """Voices for `say` cues and behaviours (espeak-ng), lip sync on the speaker's face."""

    def __init__(self) -> None:
        self.cache = SpeechCache()

    def setup_world(self, world: World) -> None:
        """Share the cache; read Say actions; synthesize the scene's own lines up front."""
        world.resources.insert(self.cache)
        world.resources.insert(SayInbox(world.events.reader(Say)))
        info = world.resources.try_get(SceneInfo)
        if info is not None:
            for cue in info.doc.cues:
                if cue.do == "say" and cue.args.get("audio"):
                    self.cache.recorded(cue.args["audio"], cue.args.get("text", ""))
                elif cue.do == "say":
                    self.cache.line(cue.args["text"], cue.args.get("lang") or info.doc.language)

    def build(self, app: App) -> None:
        """Register the system in ANIMATE (after the face, before the mix in PRESENT)."""
        app.on_world(self.setup_world)
        app.add_system(speak_lines, Phase.ANIMATE, reads=(Say,), writes=(Spoken,))
