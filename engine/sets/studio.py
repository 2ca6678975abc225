"""Studio-type sets: a news studio (video wall, anchor desk) and a concert stage (LED screen, truss)."""

from __future__ import annotations

import math

import numpy as np

from engine.assets.model import AvatarAsset
from engine.sets.geometry import SetBuilder, pitch, roll, yaw

Rgb = tuple[float, float, float]


def _facing_origin(x: float, z: float) -> np.ndarray:
    """Yaw that turns a +Z-facing panel at (x, z) toward the origin."""
    return yaw(-math.degrees(math.atan2(x, -z)))


def _mix(a: Rgb, b: Rgb, t: float) -> Rgb:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def news_studio(seed: int = 0) -> AvatarAsset:
    """Dark navy studio: curved panelled backdrop, a video wall behind the talent, side screens, a desk."""
    rng = np.random.default_rng(seed)
    accents: list[Rgb] = [(0.18, 0.72, 1.0), (1.0, 0.52, 0.14), (0.92, 0.22, 0.32)]
    accent = accents[int(rng.integers(len(accents)))]
    b = SetBuilder()
    floor = b.material("floor", (0.06, 0.08, 0.12), roughness=0.22, metallic=0.1)
    inlay = b.material("floor_inlay", accent, roughness=0.4, emissive=0.9)
    wall = b.material("backdrop", (0.08, 0.12, 0.21), roughness=0.75)
    trim = b.material("backdrop_trim", (0.15, 0.2, 0.32), roughness=0.45, metallic=0.3)
    strip = b.material("led_strip", accent, emissive=2.2)
    bezel = b.material("bezel", (0.03, 0.03, 0.04), roughness=0.3, metallic=0.5)
    screen = b.material("video_wall", (0.04, 0.16, 0.38), roughness=0.2, emissive=1.0)
    graphics = b.material("screen_graphics", _mix(accent, (1.0, 1.0, 1.0), 0.35), emissive=1.3)
    white = b.material("desk", (0.88, 0.89, 0.91), roughness=0.35)
    top = b.material("desk_top", (0.1, 0.1, 0.12), roughness=0.18, metallic=0.4)
    metal = b.material("metal", (0.56, 0.59, 0.63), roughness=0.35, metallic=0.85)
    lamp = b.material("lamp", (1.0, 0.95, 0.86), emissive=3.0)

    b.box(floor, (0.0, -0.05, 0.0), (16.0, 0.1, 14.0))
    b.ring(inlay, (0.0, 0.003, 0.0), 1.55, 1.6)
    b.ring(inlay, (0.0, 0.003, 0.0), 2.55, 2.58, segments=96)

    # a curved wall of panels on a 5.2 m arc behind the talent, LED strips in the seams
    radius, count, spread = 5.2, 13, 66.0
    angles = np.linspace(-spread, spread, count)
    step = math.radians(angles[1] - angles[0])
    width = 2.0 * radius * math.sin(step / 2.0) - 0.04
    for ang in angles:
        a = math.radians(ang)
        x, z = radius * math.sin(a), -radius * math.cos(a)
        b.box(wall, (x, 1.9, z), (width, 3.8, 0.12), yaw(-ang))
        b.box(trim, (x * 0.985, 0.15, z * 0.985), (width, 0.3, 0.1), yaw(-ang))
    for ang in angles[:-1] + np.degrees(step) / 2.0:
        a = math.radians(ang)
        b.box(strip, (radius * 0.98 * math.sin(a), 1.9, -radius * 0.98 * math.cos(a)), (0.035, 3.5, 0.03),
              yaw(-ang))
    b.box(strip, (0.0, 3.86, -radius + 0.1), (2.0 * radius * 0.92, 0.04, 0.04))

    # the video wall: bezel, screen, and simple "broadcast" graphics (a band, bars, a globe disc)
    wall_z = -radius + 0.45
    b.bevel_box(bezel, (0.0, 2.05, wall_z), (4.7, 2.75, 0.12), 0.03)
    b.box(screen, (0.0, 2.05, wall_z + 0.065), (4.5, 2.55, 0.02))
    b.box(graphics, (0.0, 1.12, wall_z + 0.08), (4.5, 0.22, 0.012))
    for k in range(int(rng.integers(4, 7))):
        h = float(rng.uniform(0.25, 0.9))
        b.box(graphics, (1.1 + k * 0.22, 1.3 + h / 2.0, wall_z + 0.08), (0.14, h, 0.012))
    b.cylinder(graphics, (-1.2, 2.25, wall_z + 0.07), 0.62, 0.012, segments=48, rotation=pitch(90.0))
    b.cylinder(screen, (-1.2, 2.25, wall_z + 0.075), 0.55, 0.012, segments=48, rotation=pitch(90.0))

    # portrait side screens on poles, turned toward the talent
    for x in (-3.7, 3.7):
        z = -2.9
        turn = _facing_origin(x, z)
        b.tube(metal, (x, 0.0, z - 0.05), (x, 1.0, z - 0.05), 0.04)
        b.cylinder(metal, (x, 0.0, z - 0.05), 0.28, 0.03, segments=24)
        b.bevel_box(bezel, (x, 2.0, z), (1.5, 2.3, 0.08), 0.025, turn)
        b.box(screen, tuple(np.array([x, 2.0, z]) + turn @ np.array([0.0, 0.0, 0.045])), (1.4, 2.2, 0.01), turn)
        b.box(graphics, tuple(np.array([x, 1.2, z]) + turn @ np.array([0.0, 0.0, 0.052])), (1.4, 0.16, 0.01), turn)

    # anchor desk off to camera-right, angled toward the camera
    desk_turn = yaw(-28.0)
    centre = np.array([2.9, 0.0, 0.2])
    b.bevel_box(white, tuple(centre + [0.0, 0.38, 0.0]), (1.9, 0.76, 0.7), 0.06, desk_turn)
    b.bevel_box(top, tuple(centre + [0.0, 0.78, 0.0]), (2.1, 0.05, 0.85), 0.02, desk_turn)
    b.box(strip, tuple(centre + desk_turn @ np.array([0.0, 0.55, 0.36])), (1.75, 0.04, 0.01), desk_turn)

    # lighting grid overhead with a few cans pointing at the talent area
    for z in (-1.6, 1.4):
        b.tube(metal, (-6.5, 4.3, z), (6.5, 4.3, z), 0.04)
    for x in (-2.4, -0.8, 0.8, 2.4):
        for z in (-1.6, 1.4):
            b.tube(metal, (x, 4.3, z), (x, 4.0, z), 0.012, segments=6)
            b.cylinder(metal, (x, 3.75, z), 0.1, 0.25, segments=16)
            b.cylinder(lamp, (x, 3.74, z), 0.085, 0.012, segments=16)
    return b.build("news_studio", has_floor=True)


def _truss(b: SetBuilder, mat: int, start: np.ndarray, end: np.ndarray, size: float = 0.3) -> None:
    """A square box truss: four chords with zig-zag diagonals on each face."""
    axis = end - start
    length = float(np.linalg.norm(axis))
    d = axis / length
    helper = np.array([0.0, 1.0, 0.0]) if abs(d[1]) < 0.9 else np.array([1.0, 0.0, 0.0])
    u = np.cross(d, helper)
    u /= np.linalg.norm(u)
    v = np.cross(d, u)
    h = size / 2.0
    corners = [u * h + v * h, u * h - v * h, -u * h - v * h, -u * h + v * h]
    for c in corners:
        b.tube(mat, tuple(start + c), tuple(end + c), 0.022, segments=6)
    bays = max(int(length / size), 1)
    for i in range(bays):
        p0, p1 = start + d * (length * i / bays), start + d * (length * (i + 1) / bays)
        for k in range(4):
            c0, c1 = corners[k], corners[(k + 1) % 4]
            a, e = (p0 + c0, p1 + c1) if i % 2 == 0 else (p0 + c1, p1 + c0)
            b.tube(mat, tuple(a), tuple(e), 0.011, segments=5)


def stage(seed: int = 0) -> AvatarAsset:
    """A concert stage: black deck with light rings, a big LED screen, goal-post truss with lights."""
    rng = np.random.default_rng(seed)
    pairs: list[tuple[Rgb, Rgb]] = [((0.9, 0.18, 0.56), (0.14, 0.75, 0.92)), ((0.98, 0.45, 0.1), (0.5, 0.2, 0.9)),
                                    ((0.2, 0.9, 0.55), (0.15, 0.35, 0.95))]
    hot, cool = pairs[int(rng.integers(len(pairs)))]
    b = SetBuilder()
    deck = b.material("floor", (0.035, 0.035, 0.045), roughness=0.15, metallic=0.2)
    ring_hot = b.material("floor_ring", hot, emissive=1.6)
    ring_cool = b.material("floor_ring_outer", cool, emissive=1.2)
    frame = b.material("screen_frame", (0.02, 0.02, 0.025), roughness=0.4)
    metal = b.material("truss", (0.66, 0.69, 0.73), roughness=0.3, metallic=0.9)
    dark = b.material("speaker", (0.05, 0.05, 0.06), roughness=0.8)
    grille = b.material("speaker_grille", (0.12, 0.12, 0.14), roughness=0.9)
    lens = b.material("fixture_lens", (1.0, 0.93, 0.8), emissive=3.0)
    bands = [b.material(f"led_screen_{i}", _mix(hot, cool, i / 5.0), emissive=1.1) for i in range(6)]
    bars = b.material("led_bars", _mix(hot, (1.0, 1.0, 1.0), 0.5), emissive=2.2)

    b.box(deck, (0.0, -0.06, 0.5), (18.0, 0.12, 15.0))
    b.box(dark, (0.0, -0.6, 8.15), (18.0, 1.0, 0.3))  # the front lip, below the deck
    b.ring(ring_hot, (0.0, 0.003, 0.0), 1.62, 1.7, segments=96)
    b.ring(ring_cool, (0.0, 0.003, 0.0), 2.5, 2.53, segments=96)

    # LED screen: bands of colour from hot (top) to cool, and seeded bright light bars
    sz, sw, sh, sy = -5.6, 10.0, 5.0, 3.0
    b.box(frame, (0.0, sy, sz - 0.08), (sw + 0.3, sh + 0.3, 0.12))
    for i, mat in enumerate(bands):
        band_h = sh / len(bands)
        b.box(mat, (0.0, sy + sh / 2.0 - band_h * (i + 0.5), sz), (sw, band_h, 0.03))
    for _ in range(int(rng.integers(5, 9))):
        x = float(rng.uniform(-sw / 2 + 0.4, sw / 2 - 0.4))
        h = float(rng.uniform(1.0, sh - 0.4))
        b.box(bars, (x, sy - sh / 2.0 + 0.2 + h / 2.0, sz + 0.025), (0.08, h, 0.01))

    # goal-post truss framing the screen, with fixtures hanging from the top span
    top_y, post_x, tz = 6.2, 6.0, -4.4
    for x in (-post_x, post_x):
        b.box(metal, (x, 0.02, tz), (0.7, 0.04, 0.7))
        _truss(b, metal, np.array([x, 0.04, tz]), np.array([x, top_y, tz]))
    _truss(b, metal, np.array([-post_x - 0.15, top_y + 0.15, tz]), np.array([post_x + 0.15, top_y + 0.15, tz]))
    _truss(b, metal, np.array([-post_x, top_y + 0.15, 1.8]), np.array([post_x, top_y + 0.15, 1.8]))
    for x in np.linspace(-4.5, 4.5, 7):
        for z, tilt in ((tz, -25.0), (1.8, 25.0)):
            turn = pitch(tilt) @ roll(float(rng.uniform(-12.0, 12.0)))
            b.tube(metal, (x, top_y, z), (x, top_y - 0.25, z), 0.015, segments=6)
            body = np.array([x, top_y - 0.65, z])
            b.cylinder(dark, tuple(body), 0.14, 0.4, segments=16, rotation=turn)
            b.cylinder(lens, tuple(body + turn @ np.array([0.0, -0.012, 0.0])), 0.11, 0.012, segments=16,
                       rotation=turn)

    # speaker stacks either side, and glowing side columns
    for x in (-7.2, 7.2):
        for k in range(3):
            y = 0.45 + k * 0.85
            b.bevel_box(dark, (x, y, -1.5), (1.0, 0.8, 0.8), 0.03, yaw(12.0 if x > 0 else -12.0))
            b.box(grille, tuple(np.array([x, y, -1.5]) + yaw(12.0 if x > 0 else -12.0) @ [0.0, 0.0, 0.405]),
                  (0.86, 0.66, 0.01), yaw(12.0 if x > 0 else -12.0))
    for x in (-4.4, 4.4):
        b.box(frame, (x, 2.3, -3.6), (0.34, 4.6, 0.34))
        b.box(bars, (x, 2.3, -3.42), (0.12, 4.4, 0.02))
    return b.build("stage", has_floor=True)
