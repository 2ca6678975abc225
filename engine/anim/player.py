"""MotionPlayer: plays humanoid clips (a looping base plus one-shot gestures) into a Pose."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.anim.humanoid import HumanoidClip, HumanoidRig, sample_humanoid
from engine.anim.pose import Pose
from engine.assets.model import AvatarAsset


@dataclass(slots=True)
class Playing:
    """A clip started at ``start`` and finished by ``end`` (seconds of the player's clock).

    A gesture plays once: a looping clip (``talk``) runs for one clip length unless the caller
    gives a longer ``end``; a newer gesture cuts it short with a fade.
    """

    clip: HumanoidClip
    start: float
    fade: float = 0.25
    weight: float = 1.0
    end: float = float("inf")


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

    def play(self, clip: HumanoidClip, start: float, fade: float = 0.25, weight: float = 1.0,
             duration: float | None = None) -> Playing:
        """Start a gesture at ``start`` for ``duration`` (default one clip length); earlier ones fade out."""
        for earlier in self.gestures:
            earlier.end = min(earlier.end, start + fade)
        playing = Playing(clip, start, fade, weight, start + (clip.duration if duration is None else duration))
        self.gestures.append(playing)
        return playing

    def gesture_weight(self, playing: Playing, t: float) -> float:
        """The gesture's weight at time ``t``: linear fade in and out (0 outside its span)."""
        local = t - playing.start
        if local < 0.0 or t > playing.end:
            return 0.0
        if playing.fade <= 0.0:
            return playing.weight
        fade_in = min(1.0, local / playing.fade)
        fade_out = min(1.0, (playing.end - t) / playing.fade)
        return playing.weight * max(0.0, min(fade_in, fade_out))

    def apply(self, pose: Pose, t: float) -> Pose:
        """Write the base and the active gestures at time ``t`` into ``pose``; drop finished ones."""
        if self.base is not None:
            self.write(pose, self.base.clip, t - self.base.start, 1.0, loop=True)
        self.gestures = [g for g in self.gestures if t <= g.end]
        for playing in self.gestures:
            weight = self.gesture_weight(playing, t)
            if weight > 0.0:
                self.write(pose, playing.clip, t - playing.start, weight, loop=playing.clip.loop)
        return pose
