"""engine.anim: sampling, blending, masks, humanoid normalization, retargeting and motions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.anim import (
    CrossFade,
    HumanoidRig,
    Layer,
    LayerStack,
    MotionPlayer,
    Pose,
    additive_delta,
    apply_additive,
    bake_clip,
    blend_poses,
    clip_source,
    crossfade_weight,
    make_motion,
    quat,
    retarget_clip,
    retarget_humanoid_clip,
    sample_clip,
    upper_body_mask,
    world_matrices,
    world_rotations,
)
from engine.anim.humanoid import HUMANOID_PARENT, sample_humanoid
from engine.anim.motions import MOTIONS
from engine.assets.model import (
    HUMANOID_BONES,
    AnimationClip,
    AvatarAsset,
    Channel,
    Mesh,
    Node,
    VrmInfo,
)

TESTDATA = Path(__file__).resolve().parents[1].parent / "shared" / "testdata"

# ---------------------------------------------------------------- synthetic humanoids

# T-pose joint positions (metres, canonical frame: faces +Z, left +X, up +Y), left side only.
_CENTRE = {"hips": (0, 1.0, 0), "spine": (0, 1.1, 0), "chest": (0, 1.25, 0), "upperChest": (0, 1.37, 0),
           "neck": (0, 1.5, 0), "head": (0, 1.6, 0)}
_LEFT = {"UpperLeg": (0.09, 0.95, 0), "LowerLeg": (0.09, 0.52, 0), "Foot": (0.09, 0.08, 0),
         "Toes": (0.09, 0.0, 0.12), "Shoulder": (0.03, 1.45, 0), "UpperArm": (0.16, 1.45, 0),
         "LowerArm": (0.44, 1.45, 0), "Hand": (0.70, 1.45, 0), "ThumbMetacarpal": (0.72, 1.44, 0.03),
         "ThumbProximal": (0.75, 1.43, 0.05), "ThumbDistal": (0.78, 1.42, 0.07),
         "IndexProximal": (0.79, 1.45, 0.025), "IndexIntermediate": (0.83, 1.45, 0.025),
         "IndexDistal": (0.86, 1.45, 0.025), "MiddleProximal": (0.80, 1.45, 0.0),
         "MiddleIntermediate": (0.845, 1.45, 0.0), "MiddleDistal": (0.875, 1.45, 0.0),
         "RingProximal": (0.79, 1.45, -0.025), "RingIntermediate": (0.83, 1.45, -0.025),
         "RingDistal": (0.86, 1.45, -0.025)}
TPOSE = {b: np.array(p, dtype=float) for b, p in _CENTRE.items()}
for _name, _p in _LEFT.items():
    TPOSE["left" + _name] = np.array(_p, dtype=float)
    TPOSE["right" + _name] = np.array(_p, dtype=float) * [-1, 1, 1]
BONES = [b for b in HUMANOID_BONES if b in TPOSE]


def make_skeleton(lengths: dict[str, float] | None = None, twist_seed: int | None = None,
                  facing_back: bool = False, root_scale: float = 1.0, drop: tuple[str, ...] = (),
                  extra_node: bool = False, arm_drop_deg: float = 0.0) -> AvatarAsset:
    """A humanoid skeleton under an 'Armature' root.

    ``lengths`` scales the segment to each bone (by bone-name substring); ``twist_seed`` gives
    every bone an arbitrary rest rotation (exporter-style local axes); ``facing_back`` turns the
    data to face -Z (VRM 0.x); ``root_scale`` scales the root (centimetre rigs); ``drop`` removes
    optional bones; ``extra_node`` puts a non-humanoid node between neck and head;
    ``arm_drop_deg`` lowers the arms into an A-pose.
    """
    lengths = lengths or {}
    bones = [b for b in BONES if b not in drop]
    positions: dict[str, np.ndarray] = {}
    for bone in BONES:  # parents first: scale each segment, keeping its direction
        up = HUMANOID_PARENT[bone]
        if up is None:
            positions[bone] = TPOSE[bone] * lengths.get("hips", 1.0)
            continue
        factor = next((v for k, v in lengths.items() if k in bone), 1.0)
        positions[bone] = positions[up] + factor * (TPOSE[bone] - TPOSE[up])
    if arm_drop_deg:
        for side, sign in (("left", -1.0), ("right", 1.0)):
            pivot = positions[f"{side}UpperArm"]
            q = quat.from_axis_angle([0, 0, 1], np.radians(sign * arm_drop_deg))
            for bone in BONES:
                if bone.startswith(side) and any(k in bone for k in ("Arm", "Hand", "Thumb", "Index",
                                                                     "Middle", "Ring")) and bone != f"{side}UpperArm":
                    positions[bone] = pivot + quat.rotate(q, positions[bone] - pivot)
    facing = quat.from_axis_angle([0, 1, 0], np.pi if facing_back else 0.0)
    rng = np.random.default_rng(twist_seed)
    world_rot = {}
    names = ["Armature"] + bones + (["neck_twist"] if extra_node else [])
    for name in names[1:]:
        twist = quat.normalize(rng.normal(size=4)) if twist_seed is not None else quat.identity()
        world_rot[name] = quat.mul(facing, twist)
    world_pos = {b: quat.rotate(facing, positions[b]) for b in bones}
    if extra_node:
        world_pos["neck_twist"] = quat.rotate(facing, 0.5 * (positions["neck"] + positions["head"]))
    index = {name: i for i, name in enumerate(names)}
    nodes = [Node("Armature", scale=np.full(3, root_scale))]
    parent_of: dict[str, str] = {}
    for bone in bones:
        up = HUMANOID_PARENT[bone]
        while up is not None and up in drop:
            up = HUMANOID_PARENT[up]
        parent_of[bone] = up or "Armature"
    if extra_node:
        parent_of["neck_twist"], parent_of["head"] = "neck", "neck_twist"
    for name in names[1:]:
        up = parent_of[name]
        p_rot = world_rot.get(up, quat.identity())
        p_pos = world_pos.get(up, np.zeros(3))
        translation = quat.rotate(quat.conjugate(p_rot), world_pos[name] - p_pos) / root_scale
        nodes.append(Node(name, parent=index[up], translation=translation,
                          rotation=quat.mul(quat.conjugate(p_rot), world_rot[name])))
    for i, node in enumerate(nodes):
        if node.parent >= 0:
            nodes[node.parent].children.append(i)
    return AvatarAsset(None, nodes=nodes, roots=[0],
                       vrm=VrmInfo("1.0", humanoid={b: index[b] for b in bones}))


def skeleton_a() -> AvatarAsset:
    """Identity local axes, T-pose, faces +Z."""
    return make_skeleton()


def skeleton_b() -> AvatarAsset:
    """Different lengths, arbitrary local axes, faces -Z, centimetre root, no upperChest, an extra node."""
    return make_skeleton({"Leg": 1.2, "Foot": 1.2, "Arm": 0.85, "spine": 1.1, "neck": 1.3, "hips": 1.15}, twist_seed=7,
                         facing_back=True, root_scale=0.01, drop=("upperChest",), extra_node=True)


def directions(asset: AvatarAsset, pose: Pose, rig: HumanoidRig) -> dict[str, np.ndarray]:
    """Canonical-frame unit vectors from each bone to its direction child."""
    world = world_matrices(asset, pose)
    out = {}
    for bone, child in rig.child.items():
        v = world[rig.node[child], :3, 3] - world[rig.node[bone], :3, 3]
        out[bone] = quat.rotate(quat.conjugate(rig.facing), v / np.linalg.norm(v))
    return out


def max_direction_error_deg(asset_a, pose_a, rig_a, asset_b, pose_b, rig_b,
                            ignore: tuple[str, ...] = ()) -> tuple[float, str]:
    """The worst angle between the two poses' bone directions, and its bone."""
    da, db = directions(asset_a, pose_a, rig_a), directions(asset_b, pose_b, rig_b)
    worst = (0.0, "")
    for bone in set(da) & set(db) - set(ignore):
        angle = float(np.degrees(np.arccos(np.clip(np.dot(da[bone], db[bone]), -1.0, 1.0))))
        worst = max(worst, (angle, bone))
    return worst


def world_deltas_deg(asset: AvatarAsset, pose: Pose, rig: HumanoidRig) -> dict[str, float]:
    """Per bone, how far (degrees) its world rotation is from rest."""
    rotations = world_rotations(asset, pose)
    rest = world_rotations(asset, Pose.rest(asset))
    return {b: float(np.degrees(quat.angle_between(rotations[i], rest[i]))) for b, i in rig.node.items()}


# ---------------------------------------------------------------- quaternions and sampling

def _one_node_asset() -> AvatarAsset:
    return AvatarAsset(None, nodes=[Node("n", mesh=0)], meshes=[Mesh("m", [], ["a", "b"], np.zeros(2))])


def _clip(path: str, interpolation: str, times, values, **tangents) -> AnimationClip:
    channel = Channel(0, path, interpolation, np.asarray(times, dtype=np.float32),
                      np.asarray(values, dtype=np.float32), **tangents)
    return AnimationClip("c", [channel], float(times[-1]))


def test_quat_basics():
    q = quat.from_euler([30, 40, 50])
    from engine.mathx import quat_from_euler_deg
    assert np.allclose(q, quat_from_euler_deg(30, 40, 50))
    assert np.allclose(quat.mul(q, quat.inverse(q)), quat.identity())
    assert np.allclose(quat.from_matrix(quat.to_matrix(q)) * np.sign(q[3]), q)
    assert np.allclose(quat.rotate(quat.from_axis_angle([0, 1, 0], np.pi / 2), [0, 0, 1]), [1, 0, 0])
    swing = quat.between_vectors([1, 0, 0], [0, 1, 0])
    assert np.allclose(quat.rotate(swing, [1, 0, 0]), [0, 1, 0])
    batch = quat.from_euler(np.random.default_rng(0).uniform(-90, 90, (5, 3)))
    assert quat.mul(batch, batch).shape == (5, 4)


def test_step_and_linear_translation():
    asset = _one_node_asset()
    step = _clip("translation", "STEP", [0, 1, 2], [[0, 0, 0], [10, 0, 0], [20, 0, 0]])
    assert sample_clip(step, 0.5, Pose.rest(asset), loop=False).translation[0, 0] == 0
    assert sample_clip(step, 1.0, Pose.rest(asset), loop=False).translation[0, 0] == 10
    assert sample_clip(step, 1.99, Pose.rest(asset), loop=False).translation[0, 0] == 10
    linear = _clip("translation", "LINEAR", [0, 1, 2], [[0, 0, 0], [10, 0, 0], [20, 4, 0]])
    assert np.allclose(sample_clip(linear, 0.25, Pose.rest(asset)).translation[0], [2.5, 0, 0])
    assert np.allclose(sample_clip(linear, 1.5, Pose.rest(asset)).translation[0], [15, 2, 0])


def test_linear_rotation_is_slerp_along_the_shortest_path():
    asset = _one_node_asset()
    q90 = quat.from_axis_angle([0, 1, 0], np.pi / 2)
    for end in (q90, -q90):  # -q is the same rotation: the halfway point must stay 45 degrees
        clip = _clip("rotation", "LINEAR", [0, 1], [quat.identity(), end])
        got = sample_clip(clip, 0.5, Pose.rest(asset)).rotation[0]
        assert np.degrees(quat.angle_between(got, quat.from_axis_angle([0, 1, 0], np.pi / 4))) < 1e-4
    # slerp (not nlerp): a quarter of the way is 22.5 degrees exactly
    clip = _clip("rotation", "LINEAR", [0, 1], [quat.identity(), q90])
    got = sample_clip(clip, 0.25, Pose.rest(asset)).rotation[0]
    assert np.isclose(np.degrees(quat.angle_between(got, quat.identity())), 22.5, atol=1e-4)


def test_cubic_spline_hermite_with_tangents_scaled_by_interval():
    asset = _one_node_asset()
    # v0 = 0, v1 = 1 over an interval of 2 s, out-tangent of key 0 = +1/s, in-tangent of key 1 = -1/s.
    values = [[0, 0, 0], [1, 0, 0]]
    clip = _clip("translation", "CUBICSPLINE", [0, 2], values,
                 in_tangents=np.array([[0, 0, 0], [-1, 0, 0]], dtype=np.float32),
                 out_tangents=np.array([[1, 0, 0], [0, 0, 0]], dtype=np.float32))
    # s = 0.5: h00 = .5, h10 = .125, h01 = .5, h11 = -.125 -> .125*2*1 + .5 + -.125*2*-1 = 1.0
    assert np.isclose(sample_clip(clip, 1.0, Pose.rest(asset)).translation[0, 0], 1.0)
    # s = 0.25: .140625*2 + .15625 + .046875*2 = 0.53125
    assert np.isclose(sample_clip(clip, 0.5, Pose.rest(asset)).translation[0, 0], 0.53125)
    rot = _clip("rotation", "CUBICSPLINE", [0, 1], [quat.identity(), quat.from_axis_angle([1, 0, 0], 1.0)],
                in_tangents=np.full((2, 4), 0.3, dtype=np.float32), out_tangents=np.full((2, 4), 0.3, dtype=np.float32))
    assert np.isclose(np.linalg.norm(sample_clip(rot, 0.4, Pose.rest(asset)).rotation[0]), 1.0)


def test_loop_versus_clamp_and_weights():
    asset = _one_node_asset()
    clip = _clip("translation", "LINEAR", [0, 2], [[0, 0, 0], [2, 0, 0]])
    assert np.isclose(sample_clip(clip, 2.5, Pose.rest(asset), loop=True).translation[0, 0], 0.5)
    assert np.isclose(sample_clip(clip, 2.5, Pose.rest(asset), loop=False).translation[0, 0], 2.0)
    assert np.isclose(sample_clip(clip, -1.0, Pose.rest(asset), loop=False).translation[0, 0], 0.0)
    weights = _clip("weights", "LINEAR", [0, 1], [[0, 1], [1, 0]])
    assert np.allclose(sample_clip(weights, 0.25, Pose.rest(asset)).weights[0], [0.25, 0.75])


# ---------------------------------------------------------------- blending, masks, layers

def test_crossfade_weights_and_poses():
    assert crossfade_weight(1.0, 1.0, 2.0) == 0.0
    assert crossfade_weight(2.0, 1.0, 2.0) == 0.5
    assert crossfade_weight(3.0, 1.0, 2.0) == 1.0
    assert crossfade_weight(2.0, 1.0, 2.0, ease=True) == 0.5
    asset = _one_node_asset()
    a = _clip("translation", "STEP", [0, 10], [[0, 0, 0], [0, 0, 0]])
    b = _clip("translation", "STEP", [0, 10], [[4, 0, 0], [4, 0, 0]])
    fade = CrossFade(a, b, start=1.0, duration=2.0)
    rest = Pose.rest(asset)
    assert fade.sample(1.0, rest).translation[0, 0] == 0.0
    assert np.isclose(fade.sample(2.0, rest).translation[0, 0], 2.0)
    assert fade.sample(3.0, rest).translation[0, 0] == 4.0


def _random_pose(asset: AvatarAsset, seed: int) -> Pose:
    rng = np.random.default_rng(seed)
    pose = Pose.rest(asset)
    pose.rotation[:] = quat.normalize(rng.normal(size=pose.rotation.shape))
    pose.translation += rng.normal(scale=0.05, size=pose.translation.shape)
    return pose


def test_additive_identity_delta_leaves_pose_unchanged_and_delta_adds():
    asset = skeleton_a()
    base = _random_pose(asset, 1)
    reference = _random_pose(asset, 2)
    unchanged = apply_additive(base, additive_delta(reference, reference), weight=1.0)
    assert np.allclose(unchanged.rotation, base.rotation) and np.allclose(unchanged.translation, base.translation)
    target = reference.copy()
    spin = quat.from_axis_angle([0, 0, 1], 0.4)
    target.rotation[3] = quat.mul(reference.rotation[3], spin)
    added = apply_additive(base, additive_delta(target, reference), weight=1.0)
    assert np.allclose(added.rotation[3], quat.mul(base.rotation[3], spin))
    half = apply_additive(base, additive_delta(target, reference), weight=0.5)
    assert np.isclose(quat.angle_between(half.rotation[3], base.rotation[3]), 0.2)


def test_upper_body_mask_leaves_legs_untouched():
    asset = skeleton_a()
    rig = HumanoidRig.from_asset(asset)
    mask = upper_body_mask(asset)
    for bone in ("spine", "chest", "neck", "head", "leftUpperArm", "rightHand", "leftIndexDistal"):
        assert mask[rig.node[bone]] == 1.0
    for bone in ("hips", "leftUpperLeg", "rightLowerLeg", "leftFoot", "rightToes"):
        assert mask[rig.node[bone]] == 0.0
    rest, posed = Pose.rest(asset), _random_pose(asset, 3)
    blended = blend_poses(rest, posed, 1.0, mask)
    legs = [rig.node[b] for b in ("leftUpperLeg", "leftLowerLeg", "rightUpperLeg", "rightFoot")]
    assert np.allclose(blended.rotation[legs], rest.rotation[legs])
    head = rig.node["head"]
    assert quat.angle_between(blended.rotation[head], posed.rotation[head]) < 1e-9


def test_layer_stack_evaluates_in_order():
    asset = skeleton_a()
    rig = HumanoidRig.from_asset(asset)
    stack = LayerStack.for_asset(asset)
    wave_clip = bake_clip(make_motion("wave"), rig)
    stack.add(Layer("base", clip_source(bake_clip(make_motion("idle"), rig))))
    stack.add(Layer("gesture", clip_source(wave_clip, loop=False), mask=upper_body_mask(asset)))
    pose = stack.evaluate(1.2)
    expected = sample_clip(wave_clip, 1.2, Pose.rest(asset), loop=False)
    i = rig.node["rightLowerArm"]
    assert np.degrees(quat.angle_between(pose.rotation[i], expected.rotation[i])) < 1e-6
    stack.get("gesture").weight = 0.0
    idle_only = stack.evaluate(1.2)
    assert np.degrees(quat.angle_between(idle_only.rotation[i], pose.rotation[i])) > 20


# ---------------------------------------------------------------- humanoid normalization and retargeting

def test_normalized_round_trip_and_facing():
    b = skeleton_b()
    rig = HumanoidRig.from_asset(b)
    assert np.degrees(quat.angle_between(rig.facing, quat.from_axis_angle([0, 1, 0], np.pi))) < 1e-6
    q = quat.from_euler([10, -20, 35])
    for bone in ("hips", "neck", "leftLowerArm"):
        assert quat.angle_between(rig.to_normalized(bone, rig.to_local(bone, q)), q) < 1e-9
    # identity normalized rotations reproduce the rest pose
    pose = rig.write(Pose.rest(b), {bone: quat.identity() for bone in rig.node})
    assert np.allclose(np.abs(quat.dot(pose.rotation, Pose.rest(b).rotation)), 1.0)


def _raw_clip_on(asset: AvatarAsset, seed: int = 5) -> AnimationClip:
    rig = HumanoidRig.from_asset(asset)
    rng = np.random.default_rng(seed)
    times = np.array([0.0, 0.5, 1.0], dtype=np.float32)
    channels = []
    for i in rig.node.values():
        keys = [quat.mul(asset.nodes[i].rotation, quat.from_euler(rng.uniform(-35, 35, 3))) for _ in times]
        channels.append(Channel(i, "rotation", "LINEAR", times, np.array(keys, dtype=np.float32)))
    hips = asset.nodes[rig.node["hips"]].translation
    moves = np.array([hips, hips + [0.05, -0.03, 0.1], hips + [-0.02, 0.0, 0.05]], dtype=np.float32)
    channels.append(Channel(rig.node["hips"], "translation", "LINEAR", times, moves))
    return AnimationClip("random", channels, 1.0)


@pytest.mark.parametrize("align_rest", [True, False])
def test_retarget_keeps_bone_directions(align_rest):
    a, b = skeleton_a(), skeleton_b()
    rig_a, rig_b = HumanoidRig.from_asset(a), HumanoidRig.from_asset(b)
    clip = _raw_clip_on(a)
    moved = retarget_clip(clip, rig_a, rig_b, fps=30, align_rest=align_rest)
    ratio = rig_b.leg_length / rig_a.leg_length
    assert np.isclose(ratio, 1.2)
    for t in (0.0, 0.5, 0.8, 1.0):
        pose_a = sample_clip(clip, t, Pose.rest(a), loop=False)
        pose_b = sample_clip(moved, t, Pose.rest(b), loop=False)
        err, bone = max_direction_error_deg(a, pose_a, rig_a, b, pose_b, rig_b)
        assert err < 2.0, (t, bone, err)
        _, hips_a = rig_a.read(pose_a)
        _, hips_b = rig_b.read(pose_b)
        assert np.allclose(hips_b, hips_a * ratio, atol=1e-3)
    # and back again; B has no upperChest, so A's chest and upperChest come back as one bend
    back = retarget_clip(moved, rig_b, rig_a)
    pose_a = sample_clip(clip, 0.5, Pose.rest(a), loop=False)
    pose_back = sample_clip(back, 0.5, Pose.rest(a), loop=False)
    assert max_direction_error_deg(a, pose_a, rig_a, a, pose_back, rig_a, ignore=("chest", "upperChest"))[0] < 2.0


def test_retarget_aligns_an_a_pose_avatar_to_a_t_pose_one():
    a, c = skeleton_a(), make_skeleton(twist_seed=3, arm_drop_deg=40.0)
    rig_a, rig_c = HumanoidRig.from_asset(a), HumanoidRig.from_asset(c)
    clip = _raw_clip_on(a, seed=9)
    pose_a = sample_clip(clip, 0.5, Pose.rest(a), loop=False)
    aligned = sample_clip(retarget_clip(clip, rig_a, rig_c), 0.5, Pose.rest(c), loop=False)
    assert max_direction_error_deg(a, pose_a, rig_a, c, aligned, rig_c)[0] < 2.0
    plain = sample_clip(retarget_clip(clip, rig_a, rig_c, align_rest=False), 0.5, Pose.rest(c), loop=False)
    assert max_direction_error_deg(a, pose_a, rig_a, c, plain, rig_c)[0] > 20.0


# ---------------------------------------------------------------- motion library

EXPECTED = {  # bones whose world rotation must change by over 2 degrees, and bones that must stay
    "idle": (["leftUpperArm", "rightUpperArm", "chest"], ["leftUpperLeg", "rightLowerLeg"]),
    "weight_shift": (["hips", "leftLowerLeg", "rightLowerLeg"], []),
    "wave": (["rightUpperArm", "rightLowerArm", "rightHand"], ["leftUpperArm", "leftUpperLeg", "spine"]),
    "nod": (["neck", "head"], ["spine", "leftUpperArm", "rightUpperLeg"]),
    "shake_head": (["head"], ["spine", "rightUpperArm", "leftUpperLeg"]),
    "point": (["rightUpperArm", "rightMiddleProximal", "rightIndexProximal"], ["leftUpperArm", "leftUpperLeg"]),
    "bow": (["hips", "spine", "chest", "head"], ["leftUpperLeg", "rightLowerLeg"]),
    "talk": (["leftLowerArm", "rightLowerArm", "head"], ["leftUpperLeg", "spine"]),
}


def test_motion_library_covers_scene_gestures():
    assert set(EXPECTED) == set(MOTIONS)
    for name in ("wave", "nod", "shake_head", "point", "bow", "talk"):
        assert make_motion(name).duration > 0
    assert make_motion("talk", seed=1).tracks["head"].rotations.tolist() != \
        make_motion("talk", seed=2).tracks["head"].rotations.tolist()
    assert make_motion("idle", seed=4).tracks["head"].rotations.tolist() == \
        make_motion("idle", seed=4).tracks["head"].rotations.tolist()
    with pytest.raises(KeyError):
        make_motion("moonwalk")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_motion_runs_on_both_skeletons_and_moves_the_right_bones(name):
    clip = make_motion(name)
    if clip.loop:  # looping clips end where they start
        first, last = sample_humanoid(clip, 0.0, loop=False)[0], sample_humanoid(clip, clip.duration, loop=False)[0]
        assert all(quat.angle_between(first[b], last[b]) < 1e-6 for b in first)
    moving, still = EXPECTED[name]
    skeletons = [skeleton_a(), skeleton_b()]
    players = [MotionPlayer.for_asset(s) for s in skeletons]
    peak: dict[str, float] = {}
    for t in np.linspace(0.0, clip.duration, 13):
        poses = [p.write(Pose.rest(s), clip, float(t)) for p, s in zip(players, skeletons, strict=True)]
        err, bone = max_direction_error_deg(skeletons[0], poses[0], players[0].rig,
                                            skeletons[1], poses[1], players[1].rig)
        assert err < 2.0, (name, t, bone, err)
        for skeleton, pose, player in zip(skeletons, poses, players, strict=True):
            for bone_name, angle in world_deltas_deg(skeleton, pose, player.rig).items():
                peak[bone_name] = max(peak.get(bone_name, 0.0), angle)
    for bone in moving:
        assert peak[bone] > 2.0, (name, bone, peak[bone])
    for bone in still:
        assert peak[bone] < 1.0, (name, bone, peak[bone])


def test_motion_player_fades_gestures_over_a_base():
    a = skeleton_a()
    player = MotionPlayer.for_asset(a)
    player.set_base(make_motion("idle"))
    nod = make_motion("nod")
    player.play(nod, start=1.0, fade=0.2)
    head = player.rig.node["head"]
    idle_pose = player.apply(Pose.rest(a), 1.35)  # the nod's lowest point
    assert len(player.gestures) == 1 and player.gesture_weight(player.gestures[0], 1.1) == pytest.approx(0.5)
    only_idle = MotionPlayer.for_asset(a)
    only_idle.set_base(make_motion("idle"))
    reference = only_idle.apply(Pose.rest(a), 1.35)
    assert np.degrees(quat.angle_between(idle_pose.rotation[head], reference.rotation[head])) > 5.0
    player.apply(Pose.rest(a), 1.0 + nod.duration + 0.1)
    assert player.gestures == []


def test_looping_gestures_end_and_a_new_gesture_replaces_the_last():
    a = skeleton_a()
    player = MotionPlayer.for_asset(a)
    talk = make_motion("talk")
    assert talk.loop
    first = player.play(talk, start=0.0)
    assert player.gesture_weight(first, talk.duration * 0.5) > 0.0
    player.apply(Pose.rest(a), talk.duration + 0.01)
    assert player.gestures == [], "a looping clip played as a gesture runs once"
    talking = player.play(talk, start=10.0)
    wave = player.play(make_motion("wave"), start=11.0, fade=0.2)
    assert talking.end == pytest.approx(11.2)
    assert player.gesture_weight(talking, 11.1) == pytest.approx(0.4)  # (11.2 - 11.1) / its 0.25 s fade
    player.apply(Pose.rest(a), 11.3)
    assert player.gestures == [wave]


def test_humanoid_clip_retargeted_to_an_a_pose_avatar_matches_directions():
    a, c = skeleton_a(), make_skeleton(arm_drop_deg=35.0, twist_seed=11)
    clip = make_motion("wave")
    adjusted = retarget_humanoid_clip(clip, a, c)
    pa, pc = MotionPlayer.for_asset(a), MotionPlayer.for_asset(c)
    pose_a, pose_c = pa.write(Pose.rest(a), clip, 1.3), pc.write(Pose.rest(c), adjusted, 1.3)
    assert max_direction_error_deg(a, pose_a, pa.rig, c, pose_c, pc.rig)[0] < 2.0


# ---------------------------------------------------------------- real VRM files

VRM_DIR = TESTDATA / "vrm"


def _load_vrms():
    if not VRM_DIR.is_dir():
        pytest.skip(f"no VRM test data at {VRM_DIR} (../shared/testdata is not part of a user's clone)")
    try:
        from engine.assets.loader import load_avatar
    except ImportError as error:
        pytest.skip(f"engine.assets.loader.load_avatar is not available yet: {error}")
    files = sorted(VRM_DIR.glob("*.vrm"))
    if len(files) < 2:
        pytest.skip(f"need two .vrm samples in {VRM_DIR}, found {len(files)}")
    return [load_avatar(path) for path in files[:2]]


def test_retarget_motion_between_real_vrm_samples():
    first, second = _load_vrms()
    rig_1, rig_2 = HumanoidRig.from_asset(first), HumanoidRig.from_asset(second)
    spec = {first.vrm.spec_version[0], second.vrm.spec_version[0]}
    if spec == {"0", "1"}:  # a VRM 0.x file faces -Z, a VRM 1.0 one +Z
        zero = rig_1 if first.vrm.spec_version.startswith("0") else rig_2
        assert abs(quat.rotate(zero.facing, [0, 0, 1])[2] + 1.0) < 0.05
    for name in ("wave", "bow", "nod"):
        raw = bake_clip(make_motion(name), rig_1)
        moved = retarget_clip(raw, rig_1, rig_2)
        for t in (0.4, 1.0, 1.3):
            pose_1 = sample_clip(raw, t, Pose.rest(first), loop=False)
            pose_2 = sample_clip(moved, t, Pose.rest(second), loop=False)
            err, bone = max_direction_error_deg(first, pose_1, rig_1, second, pose_2, rig_2)
            assert err < 2.0, (name, t, bone, err)
