"""Animation for avatars: quaternions, poses, clip sampling, blending, humanoid retargeting, motions."""

from engine.anim.blend import (
    CrossFade,
    Layer,
    LayerStack,
    additive_delta,
    apply_additive,
    blend_poses,
    clip_source,
    crossfade_weight,
    lower_body_mask,
    mask_from_bones,
    mask_from_nodes,
    upper_body_mask,
)
from engine.anim.humanoid import (
    HUMANOID_PARENT,
    HumanoidClip,
    HumanoidRig,
    HumanoidTrack,
    facing_rotation,
    sample_humanoid,
)
from engine.anim.motions import MOTIONS, make_motion
from engine.anim.player import MotionPlayer, Playing
from engine.anim.pose import Pose, world_matrices, world_rotations
from engine.anim.retarget import bake_clip, retarget_clip, retarget_humanoid_clip, to_humanoid_clip
from engine.anim.sampling import clip_time, sample_channel, sample_clip

__all__ = [
    "HUMANOID_PARENT", "MOTIONS", "CrossFade", "HumanoidClip", "HumanoidRig", "HumanoidTrack", "Layer",
    "LayerStack", "MotionPlayer", "Playing", "Pose", "additive_delta", "apply_additive", "bake_clip",
    "blend_poses", "clip_source", "clip_time", "crossfade_weight", "facing_rotation", "lower_body_mask",
    "make_motion", "mask_from_bones", "mask_from_nodes", "retarget_clip", "retarget_humanoid_clip",
    "sample_channel", "sample_clip", "sample_humanoid", "to_humanoid_clip", "upper_body_mask",
    "world_matrices", "world_rotations",
]
