"""Sample glTF animation clips into a Pose: STEP, LINEAR (slerp) and CUBICSPLINE, looped or clamped."""

from __future__ import annotations

import numpy as np

from engine.anim import quat
from engine.anim.pose import Pose
from engine.assets.model import AnimationClip, Channel


def clip_time(t: float, duration: float, loop: bool) -> float:
    """Map a playback time onto the clip: wrap when looping, clamp to [0, duration] otherwise."""
    if duration <= 0.0:
        return 0.0
    if loop:
        return float(np.mod(t, duration))
    return float(np.clip(t, 0.0, duration))


def _segment(times: np.ndarray, t: float) -> tuple[int, float, float]:
    """Key index k, fraction s in [0, 1] between key k and k+1, and the key interval."""
    last = len(times) - 1
    if last <= 0 or t <= times[0]:
        return 0, 0.0, 0.0
    if t >= times[last]:
        return last, 0.0, 0.0
    k = int(np.searchsorted(times, t, side="right")) - 1
    dt = float(times[k + 1] - times[k])
    return k, (t - float(times[k])) / dt if dt > 0.0 else 0.0, dt


def sample_channel(channel: Channel, t: float) -> np.ndarray:
    """The channel's value at time ``t`` (seconds, already wrapped/clamped), float64 (C,)."""
    times = np.asarray(channel.times, dtype=np.float64)
    values = np.asarray(channel.values, dtype=np.float64)
    k, s, dt = _segment(times, t)
    is_rotation = channel.path == "rotation"
    if dt == 0.0 or channel.interpolation == "STEP":
        out = values[k].copy()
    elif channel.interpolation == "CUBICSPLINE":
        # glTF cubic Hermite: tangents are per second, so they scale by the key interval.
        s2, s3 = s * s, s * s * s
        out_tangent = np.asarray(channel.out_tangents, dtype=np.float64)[k] if channel.out_tangents is not None else 0.0
        in_tangent = np.asarray(channel.in_tangents, dtype=np.float64)[k + 1] if channel.in_tangents is not None else 0.0
        out = ((2 * s3 - 3 * s2 + 1) * values[k] + (s3 - 2 * s2 + s) * dt * out_tangent
               + (-2 * s3 + 3 * s2) * values[k + 1] + (s3 - s2) * dt * in_tangent)
    elif is_rotation:
        out = quat.slerp(values[k], values[k + 1], s)
    else:
        out = (1.0 - s) * values[k] + s * values[k + 1]
    return quat.normalize(out) if is_rotation else out


def sample_clip(clip: AnimationClip, t: float, pose: Pose, loop: bool = True) -> Pose:
    """Write the clip's values at playback time ``t`` into ``pose`` (in place) and return it.

    Nodes the clip does not animate keep the values already in ``pose``.
    """
    local_t = clip_time(t, clip.duration, loop)
    for channel in clip.channels:
        if channel.node < 0 or channel.node >= pose.node_count or len(channel.times) == 0:
            continue
        value = sample_channel(channel, local_t)
        if channel.path == "translation":
            pose.translation[channel.node] = value
        elif channel.path == "rotation":
            pose.rotation[channel.node] = value
        elif channel.path == "scale":
            pose.scale[channel.node] = value
        elif channel.path == "weights":
            mesh = int(pose.node_mesh[channel.node]) if len(pose.node_mesh) else -1
            if mesh >= 0:
                current = pose.weights.setdefault(mesh, np.zeros(len(value)))
                count = min(len(current), len(value))
                current[:count] = value[:count]
    return pose


def clip_key_times(clip: AnimationClip) -> np.ndarray:
    """Sorted unique key times over all channels of the clip."""
    if not clip.channels:
        return np.zeros(1)
    return np.unique(np.concatenate([np.asarray(c.times, dtype=np.float64) for c in clip.channels]))
