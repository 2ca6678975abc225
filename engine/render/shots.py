"""Camera shots: framing presets (close-up ... two-shot) solved from an avatar's points, and camera moves."""

from __future__ import annotations

import math

import numpy as np

from engine.anim import quat
from engine.anim.pose import Pose, world_matrices
from engine.assets.model import AvatarAsset

SHOTS = ("close_up", "medium", "full", "over_shoulder", "two_shot")
MOVES = ("static", "dolly", "orbit", "push_in", "handheld")
UP = np.array([0.0, 1.0, 0.0])

# A generic 1.7 m person (metres above the feet), for targets that are not humanoid avatars.
_GENERIC = {"feet": 0.0, "hips": 0.95, "chest": 1.25, "neck": 1.42, "head": 1.50, "eyes": 1.57,
            "head_top": 1.70}


# -- small vector helpers -------------------------------------------------------------------

def _unit(v: np.ndarray, fallback: np.ndarray | None = None) -> np.ndarray:
    n = float(np.linalg.norm(v))
    if n < 1e-9:
        return np.array([0.0, 0.0, 1.0]) if fallback is None else fallback
    return np.asarray(v, dtype=np.float64) / n


def _horizontal(v: np.ndarray, fallback: np.ndarray | None = None) -> np.ndarray:
    return _unit(np.array([v[0], 0.0, v[2]], dtype=np.float64), fallback)


def _basis(back: np.ndarray, pitch_down: float) -> np.ndarray:
    """Camera rotation (3x3, columns right/up/back) looking along -``back`` tilted down by ``pitch_down``."""
    back = _horizontal(back)
    right = np.cross(UP, back)
    c, s = math.cos(pitch_down), math.sin(pitch_down)
    # tilting the view down raises the camera's back axis and leans its up axis forward
    new_back = back * c + UP * s
    new_up = UP * c - back * s
    return np.column_stack([right, new_up, new_back])


def _matrix(rotation: np.ndarray, position: np.ndarray) -> np.ndarray:
    out = np.eye(4)
    out[:3, :3] = rotation
    out[:3, 3] = position
    return out


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray = UP) -> np.ndarray:
    """A camera world matrix at ``eye`` whose -Z looks at ``target`` (Y up)."""
    back = _unit(np.asarray(eye, dtype=np.float64) - np.asarray(target, dtype=np.float64))
    right = _unit(np.cross(up, back), np.array([1.0, 0.0, 0.0]))
    return _matrix(np.column_stack([right, np.cross(back, right), back]), np.asarray(eye, dtype=np.float64))


def project(matrix: np.ndarray, point: np.ndarray, aspect: float, fov_deg: float) -> np.ndarray:
    """Normalised device coordinates (x right, y up, both in [-1, 1] on screen) and depth of a point."""
    local = np.linalg.inv(matrix) @ np.append(np.asarray(point, dtype=np.float64), 1.0)
    depth = -local[2]
    tan_v = math.tan(math.radians(fov_deg) / 2.0)
    safe = depth if abs(depth) > 1e-9 else 1e-9
    return np.array([local[0] / safe / (tan_v * aspect), local[1] / safe / tan_v, depth])


# -- solving a frame ---------------------------------------------------------------------------

def _solve_position(rotation: np.ndarray, constraints: list[tuple[np.ndarray, int, float]],
                    tan_v: float, tan_h: float) -> np.ndarray:
    """The camera position putting each (point, axis 0=x 1=y, ndc) constraint exactly on screen.

    With a fixed orientation, "point X projects to ndc n on axis a" is linear in the camera
    position C: (axis_a - n * tan * forward) . (X - C) = 0, so three constraints pin C.
    """
    forward = -rotation[:, 2]
    rows, rhs = [], []
    for point, axis, ndc in constraints:
        k = ndc * (tan_h if axis == 0 else tan_v)
        normal = rotation[:, axis] - k * forward
        rows.append(normal)
        rhs.append(float(normal @ point))
    return np.linalg.solve(np.array(rows), np.array(rhs))


def _frame(back: np.ndarray, upper: tuple[np.ndarray, float], lower: tuple[np.ndarray, float],
           centre: tuple[np.ndarray, float], camera_height: float, tan_v: float, tan_h: float,
           pitch_range: tuple[float, float] = (-4.0, 25.0)) -> np.ndarray:
    """Find the downward pitch that puts the camera at ``camera_height`` while the constraints hold.

    For a fixed composition, tilting further down needs a higher camera, so the height is
    monotonic (nearly linear) in the pitch; out-of-range heights clamp the pitch.
    """
    def place(pitch_deg: float) -> tuple[np.ndarray, np.ndarray]:
        rotation = _basis(back, math.radians(pitch_deg))
        constraints = [(upper[0], 1, upper[1]), (lower[0], 1, lower[1]), (centre[0], 0, centre[1])]
        return rotation, _solve_position(rotation, constraints, tan_v, tan_h)

    # the height is close to linear in the pitch: a few secant steps, kept inside the range
    lo, hi = pitch_range
    a, b = 0.0, 8.0
    fa, fb = place(a)[1][1] - camera_height, place(b)[1][1] - camera_height
    for _ in range(12):
        if abs(fb) < 1e-6 or abs(fb - fa) < 1e-12:
            break
        a, fa, b = b, fb, min(max(b - fb * (b - a) / (fb - fa), lo), hi)
        fb = place(b)[1][1] - camera_height
    rotation, position = place(b)
    return _matrix(rotation, position)


def _look_room(facing: np.ndarray, back: np.ndarray, amount: float) -> float:
    """Horizontal ndc of the subject: off-centre away from where they look (more room on that side)."""
    right = np.cross(UP, _horizontal(back))
    side = float(_horizontal(facing, _horizontal(back)) @ right)  # > 0: they look toward screen right
    return float(np.clip(-amount * side * 1.6, -amount, amount))


def _point(points: dict[str, np.ndarray], name: str) -> np.ndarray:
    return np.asarray(points[name], dtype=np.float64)


def _head_top(points: dict[str, np.ndarray]) -> np.ndarray:
    if "head_top" in points:
        return _point(points, "head_top")
    eyes, neck = _point(points, "eyes"), _point(points, "neck")
    return eyes + UP * 0.85 * float(np.linalg.norm(eyes - neck))


def frame_shot(shot: str, target_points: dict[str, np.ndarray], aspect: float, fov_deg: float,
               facing: np.ndarray, other_points: dict[str, np.ndarray] | None = None,
               view_dir: np.ndarray | None = None) -> np.ndarray:
    """The 4x4 world matrix of a camera (looking down its -Z, Y up) framing ``shot`` of the target.

    ``target_points`` needs head, neck, chest, hips, feet and eyes (``head_top`` optional; see
    :func:`avatar_points`). ``facing`` is where the target looks (its forward, +Z unrotated);
    ``view_dir`` is the horizontal direction from the target toward the camera (default: the
    target's body front, i.e. ``facing``); when the target looks away from it, the frame leaves
    look room on the side they face. ``other_points`` is the second subject of over_shoulder and
    two_shot (without it those fall back to a medium shot). The distance follows from the
    vertical field of view so the content fits; ``aspect`` is width / height.
    """
    if shot not in SHOTS:
        raise ValueError(f"unknown shot {shot!r}; expected one of {', '.join(SHOTS)}")
    if (shot in ("over_shoulder", "two_shot")) and other_points is None:
        shot = "medium"
    tan_v = math.tan(math.radians(fov_deg) / 2.0)
    tan_h = tan_v * aspect
    facing = _horizontal(np.asarray(facing, dtype=np.float64))
    back = _horizontal(np.asarray(view_dir, dtype=np.float64), facing) if view_dir is not None else facing
    # portrait frames have little width: keep the look-room offset smaller there
    room = 0.22 if aspect >= 1.0 else 0.16
    if shot == "over_shoulder":
        assert other_points is not None
        return _over_shoulder(target_points, other_points, tan_v, tan_h)
    if shot == "two_shot":
        assert other_points is not None
        return _two_shot(target_points, other_points, facing, tan_v, tan_h)

    top, eyes = _head_top(target_points), _point(target_points, "eyes")
    chest, hips, feet = _point(target_points, "chest"), _point(target_points, "hips"), _point(target_points, "feet")
    centre = (eyes, _look_room(facing, back, room))
    if shot == "close_up":
        # eyes on the upper third line, a little headroom; the camera a touch above the eyes
        return _frame(back, (eyes, 1.0 / 3.0), (top, 0.80), centre, eyes[1] + 0.04, tan_v, tan_h)
    if shot == "medium":
        waist = hips + 0.15 * (chest - hips)
        # the camera at the top of the chest (the neck), so it looks slightly down at the face
        neck = _point(target_points, "neck")[1] + 0.02
        return _frame(back, (top, 0.80), (waist, -1.0), centre, neck, tan_v, tan_h)
    # full: the whole body with small margins; the camera between hips and chest
    return _frame(back, (top, 0.88), (feet, -0.90), (0.5 * (top + feet), centre[1]),
                  0.5 * (hips[1] + chest[1]), tan_v, tan_h)


def _aim(camera: np.ndarray, point: np.ndarray, ndc: tuple[float, float], tan_v: float,
         tan_h: float) -> np.ndarray:
    """Turn the camera (yaw about world up, then pitch; no roll) until ``point`` lands on ``ndc``."""
    for _ in range(6):
        rel = np.linalg.inv(camera[:3, :3]) @ (point - camera[:3, 3])
        depth = max(-rel[2], 1e-6)
        dx = ndc[0] - rel[0] / depth / tan_h
        dy = ndc[1] - rel[1] / depth / tan_v
        # yawing left moves the point right on screen; tilting down moves it up
        yaw = quat.from_axis_angle(UP, math.atan(dx * tan_h))
        pitch = quat.from_axis_angle(camera[:3, 0], -math.atan(dy * tan_v))
        camera[:3, :3] = quat.to_matrix(quat.mul(quat.mul(yaw, pitch), quat.from_matrix(camera[:3, :3])))
    return camera


def _over_shoulder(target: dict[str, np.ndarray], other: dict[str, np.ndarray],
                   tan_v: float, tan_h: float) -> np.ndarray:
    """Behind the other subject's shoulder, looking at the target's face (eyes on the upper third).

    The camera stands behind the other subject and to the right (as seen from behind them);
    their shoulder and head fill the left edge and the target sits right of centre.
    """
    eyes, other_neck = _point(target, "eyes"), _point(other, "neck")
    away = _horizontal(other_neck - eyes)  # from the target toward the other subject
    side = np.cross(UP, away)  # camera right when looking back at the target
    eye = other_neck + away * 0.65 + side * (0.30 if tan_h >= tan_v else 0.14)
    eye[1] = _point(other, "eyes")[1] + 0.05
    return _aim(look_at(eye, eyes), eyes, (0.30, 1.0 / 3.0), tan_v, tan_h)


def _two_shot(a: dict[str, np.ndarray], b: dict[str, np.ndarray], facing: np.ndarray,
              tan_v: float, tan_h: float) -> np.ndarray:
    """Both subjects side by side with margins: from the waist up if that fits, else wider."""
    across = _horizontal(_point(b, "chest") - _point(a, "chest"), np.cross(UP, facing))
    back = np.cross(across, UP)
    if back @ facing < 0.0:  # look at the pair from the side they face
        back = -back
    top_a, top_b = _head_top(a), _head_top(b)
    top = top_a if top_a[1] >= top_b[1] else top_b
    lows = {}
    for name, share in (("waist", 0.3), ("knees", -0.5), ("feet", -1.0)):
        candidates = []
        for p in (a, b):
            hips, chest, feet = _point(p, "hips"), _point(p, "chest"), _point(p, "feet")
            candidates.append(hips + share * (chest - hips) if share >= 0 else hips - share * (feet - hips))
        lows[name] = min(candidates, key=lambda v: v[1])
    middle = 0.5 * (_point(a, "eyes") + _point(b, "eyes"))
    height = 0.5 * (_point(a, "chest")[1] + _point(b, "chest")[1])
    camera = np.eye(4)
    for low in lows.values():
        camera = _frame(back, (top, 0.78), (low, -0.92), (middle, 0.0), height, tan_v, tan_h)
        needed = _pull_back(camera, (a, b), tan_h)
        if needed <= 0.0:
            return camera
    # still too wide: step back and tilt so the pair sits in the middle of the frame
    camera[:3, 3] += camera[:3, 2] * needed
    centre = middle.copy()
    centre[1] = 0.5 * (top[1] + lows["feet"][1])
    return _aim(camera, centre, (0.0, 0.0), tan_v, tan_h)


def _pull_back(camera: np.ndarray, subjects: tuple[dict[str, np.ndarray], ...], tan_h: float) -> float:
    """How far the camera must step back for every head and chest (with shoulder margins) to fit."""
    forward, right = -camera[:3, 2], camera[:3, 0]
    needed = 0.0
    for p in subjects:
        for name in ("head", "chest", "eyes"):
            rel = _point(p, name) - camera[:3, 3]
            width = abs(float(rel @ right)) + 0.25  # half a shoulder width of margin
            needed = max(needed, width / (0.9 * tan_h) - float(rel @ forward))
    return needed


# -- moves ------------------------------------------------------------------------------------

def _ease(x: float) -> float:
    x = min(max(x, 0.0), 1.0)
    return x * x * (3.0 - 2.0 * x)


def _smooth_noise(t: float, seed: int, channels: int) -> np.ndarray:
    """Smooth, deterministic noise in about [-1, 1]: a few incommensurate sines with seeded phases."""
    rng = np.random.default_rng(seed)
    freqs = rng.uniform(0.15, 1.1, size=(channels, 4))
    phases = rng.uniform(0.0, 2.0 * math.pi, size=(channels, 4))
    weights = np.array([0.45, 0.3, 0.15, 0.1])
    return (np.sin(2.0 * math.pi * freqs * t + phases) * weights).sum(axis=1)


def apply_move(matrix: np.ndarray, move: str | None, t: float, speed: float = 1.0, seed: int = 0,
               target_point: np.ndarray | None = None) -> np.ndarray:
    """The camera matrix at ``t`` seconds into ``move`` (static, dolly, orbit, push_in, handheld).

    Moves are slow and bounded; dolly and push_in travel along the line to ``target_point`` (so
    it stays put on screen), orbit arcs around the vertical through it, and handheld adds a
    seeded smooth shake of a few millimetres and a fraction of a degree. At t = 0 every move
    returns ``matrix`` (except handheld's tiny offset), so cuts land on the framed shot.
    """
    out = np.array(matrix, dtype=np.float64, copy=True)
    if move in (None, "static"):
        return out
    if move not in MOVES:
        raise ValueError(f"unknown move {move!r}; expected one of {', '.join(MOVES)}")
    position = out[:3, 3]
    forward = -out[:3, 2]
    if target_point is None:
        target_point = position + forward * 2.5
    target_point = np.asarray(target_point, dtype=np.float64)
    to_target = target_point - position
    distance = float(np.linalg.norm(to_target))
    direction = to_target / max(distance, 1e-9)
    st = t * speed
    if move == "dolly":  # in and out by 6% of the distance, a 14 s cycle
        out[:3, 3] = position + direction * distance * 0.06 * math.sin(2.0 * math.pi * st / 14.0)
    elif move == "push_in":  # 22% closer over 8 s, eased at both ends
        out[:3, 3] = position + direction * distance * 0.22 * _ease(st / 8.0)
    elif move == "orbit":  # a +-12 degree arc around the target, a 24 s cycle
        angle = math.radians(12.0) * math.sin(2.0 * math.pi * st / 24.0)
        turn = quat.from_axis_angle(UP, angle)
        pivot = np.array([target_point[0], position[1], target_point[2]])
        out[:3, 3] = pivot + quat.rotate(turn, position - pivot)
        out[:3, :3] = quat.to_matrix(turn) @ out[:3, :3]
    else:  # handheld
        noise = _smooth_noise(st, seed, 6)
        out[:3, 3] = position + out[:3, :3] @ (noise[:3] * 0.004)
        angles = noise[3:] * math.radians(0.25)
        shake = quat.from_euler(angles, "XYZ", degrees=False)
        out[:3, :3] = out[:3, :3] @ quat.to_matrix(shake)
    return out


# -- avatar points -----------------------------------------------------------------------------

_BONES = {
    "hips": ("hips",), "chest": ("upperChest", "chest", "spine"), "neck": ("neck", "head"),
    "head": ("head",), "left_shoulder": ("leftUpperArm",), "right_shoulder": ("rightUpperArm",),
}
_REST_CACHE: dict[int, tuple[AvatarAsset, dict[str, np.ndarray]]] = {}


def _rest_bounds(asset: AvatarAsset) -> tuple[np.ndarray, np.ndarray] | None:
    """Bounding box of the asset's meshes in its rest pose (skinned meshes sit in bind space)."""
    world = world_matrices(asset, Pose.rest(asset))
    lows, highs = [], []
    for index, node in enumerate(asset.nodes):
        if node.mesh is None:
            continue
        for prim in asset.meshes[node.mesh].primitives:
            if not len(prim.positions):
                continue
            pts = np.asarray(prim.positions, dtype=np.float64)
            if node.skin is None:
                pts = pts @ world[index][:3, :3].T + world[index][:3, 3]
            elif prim.joints is not None and prim.weights is not None:
                # rest-pose skinning by each vertex's dominant joint: close enough for a bounding box
                skin = asset.skins[node.skin]
                dominant = prim.joints[np.arange(len(pts)), np.argmax(prim.weights, axis=1)].astype(np.intp)
                matrices = world[skin.joints[dominant]] @ skin.inverse_bind[dominant]
                pts = np.einsum("nij,nj->ni", matrices[:, :3, :3], pts) + matrices[:, :3, 3]
            lows.append(pts.min(axis=0))
            highs.append(pts.max(axis=0))
    if not lows:
        return None
    return np.min(lows, axis=0), np.max(highs, axis=0)


def _rest_offsets(asset: AvatarAsset) -> dict[str, np.ndarray]:
    """Per asset, once: where the head top and the soles sit relative to the head and foot bones."""
    cached = _REST_CACHE.get(id(asset))
    if cached is not None and cached[0] is asset:
        return cached[1]
    info: dict[str, np.ndarray] = {}
    bounds = _rest_bounds(asset)
    if bounds is not None:
        info["low"], info["high"] = bounds
        humanoid = asset.vrm.humanoid if asset.vrm is not None else {}
        rest = world_matrices(asset, Pose.rest(asset))
        if "head" in humanoid:
            head = rest[humanoid["head"]]
            top = head[:3, 3].copy()
            top[1] = bounds[1][1]
            info["head_top_local"] = np.linalg.inv(head) @ np.append(top, 1.0)
        feet = [rest[humanoid[b]][1, 3] for b in ("leftFoot", "rightFoot") if b in humanoid]
        if feet:
            info["sole"] = np.array([min(feet) - bounds[0][1]])
    if len(_REST_CACHE) > 64:  # a few avatars per app; never grow without bound
        _REST_CACHE.clear()
    _REST_CACHE[id(asset)] = (asset, info)
    return info


def generic_points(entity_world: np.ndarray, height: float = 1.7, base: float = 0.0,
                   centre: tuple[float, float] = (0.0, 0.0)) -> dict[str, np.ndarray]:
    """The points of a person ``height`` tall standing at ``entity_world`` (feet ``base`` above it).

    ``centre`` shifts them to the (x, z) middle of the asset's footprint.
    """
    scale = height / _GENERIC["head_top"]
    x, z = centre
    return {name: (entity_world @ np.array([x, base + y * scale, z + (0.04 if name == "eyes" else 0.0), 1.0]))[:3]
            for name, y in _GENERIC.items()}


def avatar_points(asset: AvatarAsset, pose: Pose, entity_world: np.ndarray) -> dict[str, np.ndarray]:
    """World positions of head, head_top, neck, chest, hips, feet, eyes (and shoulders when known).

    Uses the VRM humanoid bones in ``pose`` placed by ``entity_world``; an asset without a
    humanoid map gets the points of a person scaled to its bounding box. ``feet`` is the point
    on the ground between the feet.
    """
    entity_world = np.asarray(entity_world, dtype=np.float64)
    humanoid = asset.vrm.humanoid if asset.vrm is not None else {}
    info = _rest_offsets(asset)
    if "head" not in humanoid or "hips" not in humanoid:
        if "low" in info:
            low, high = info["low"], info["high"]
            middle = 0.5 * (low + high)
            return generic_points(entity_world, float(high[1] - low[1]) or 1.7, float(low[1]),
                                  (float(middle[0]), float(middle[2])))
        return generic_points(entity_world)
    world = entity_world @ world_matrices(asset, pose)
    points: dict[str, np.ndarray] = {}
    for name, bones in _BONES.items():
        for bone in bones:
            if bone in humanoid:
                points[name] = world[humanoid[bone]][:3, 3].copy()
                break
    head = world[humanoid["head"]]
    eyes = [world[humanoid[b]][:3, 3] for b in ("leftEye", "rightEye") if b in humanoid]
    if eyes:
        points["eyes"] = np.mean(eyes, axis=0)
    else:
        offset = asset.vrm.look_at.offset_from_head if asset.vrm is not None else np.array([0.0, 0.06, 0.0])
        points["eyes"] = (head @ np.append(np.asarray(offset, dtype=np.float64), 1.0))[:3]
    if "head_top_local" in info:
        points["head_top"] = (head @ info["head_top_local"])[:3]
    up = _unit(entity_world[:3, 1])
    feet = [world[humanoid[b]][:3, 3] for b in ("leftFoot", "rightFoot") if b in humanoid]
    if feet:
        sole = float(info["sole"][0]) if "sole" in info else 0.08
        points["feet"] = np.mean(feet, axis=0) - up * sole * float(np.linalg.norm(entity_world[:3, 1]))
    else:
        points["feet"] = entity_world[:3, 3].copy()
    return points


def avatar_facing(asset: AvatarAsset, pose: Pose, entity_world: np.ndarray) -> np.ndarray:
    """The horizontal direction the avatar's head faces (its +Z), in world space."""
    entity_world = np.asarray(entity_world, dtype=np.float64)
    body = _horizontal(entity_world[:3, 2])
    humanoid = asset.vrm.humanoid if asset.vrm is not None else {}
    if "head" not in humanoid:
        return body
    head = entity_world @ world_matrices(asset, pose)[humanoid["head"]]
    return _horizontal(head[:3, 2], body)
