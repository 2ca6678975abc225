"""MotionPlayer: plays humanoid clips (a looping base plus one-shot gestures) into a Pose."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.anim.humanoid import HumanoidClip, HumanoidRig, sample_humanoid
from engine.anim.pose import Pose
from engine.assets.model import AvatarAsset


@dataclass(slots=True)
class Playing:
    """A clip started at ``start`` (seconds of the player's clock), faded in and out."""

    clip: HumanoidClip
    start: float
    fade: float = 0.25
    weight: float = 1.0


@dataclass(slots=True, eq=False)
class MotionPlayer:
    """Writes humanoid clips into one avatar's poses through its :class:`HumanoidRig`."""

    rig: HumanoidRig
    base: Playing | None = None
    gestures: list[Playing] = field(default_factory=list)

    @classmethod
    def for_asset(cls, asset: AvatarAsset) -> MotionPlayer:
        """A player for ``asset`` (which needs a VRM humanoid map)."""
        return cls(HumanoidRig.from_asset(asset))

    def write(self, pose: Pose, clip: HumanoidClip, t: float, weight: float = 1.0,
              loop: bool | None = None) -> Pose:
        """Write ``clip`` at clip time ``t`` into ``pose`` (in place), ``weight`` of the way.

        Only the bones the clip animates change; hips offsets are scaled by leg length.
        """
        rotations, offset = sample_humanoid(clip, t, loop)
        if offset is not None and clip.leg_length > 0:
            offset = offset * (self.rig.leg_length / clip.leg_length)
        return self.rig.write(pose, rotations, offset, weight)

    def set_base(self, clip: HumanoidClip, start: float = 0.0) -> None:
        """Loop ``clip`` underneath everything (an idle)."""
        self.base = Playing(clip, start, 0.0)

    def play(self, clip: HumanoidClip, start: float, fade: float = 0.25, weight: float = 1.0) -> Playing:
        """Start a one-shot gesture at ``start``; it replaces a running gesture's bones."""
        playing = Playing(clip, start, fade, weight)
        self.gestures.append(playing)
        return playing

    def gesture_weight(self, playing: Playing, t: float) -> float:
        """The gesture's weight at time ``t``: linear fade in and out (0 outside the clip)."""
        local = t - playing.start
        duration = playing.clip.duration
        if local < 0.0 or (not playing.clip.loop and local > duration):
            return 0.0
        if playing.fade <= 0.0:
            return playing.weight
        fade_in = min(1.0, local / playing.fade)
        fade_out = 1.0 if playing.clip.loop else min(1.0, (duration - local) / playing.fade)
        return playing.weight * max(0.0, min(fade_in, fade_out))

    def apply(self, pose: Pose, t: float) -> Pose:
        """Write the base and the active gestures at time ``t`` into ``pose``; drop finished ones."""
        if self.base is not None:
            self.write(pose, self.base.clip, t - self.base.start, 1.0, loop=True)
        self.gestures = [g for g in self.gestures if g.clip.loop or t - g.start <= g.clip.duration]
        for playing in self.gestures:
            weight = self.gesture_weight(playing, t)
            if weight > 0.0:
                self.write(pose, playing.clip, t - playing.start, weight)
        return pose
