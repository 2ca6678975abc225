"""WindowRenderer for ``persona play``: an on-screen window with orbit, pause and F12 screenshots."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import numpy as np
from panda3d.core import (
    ButtonThrower,
    DataGraphTraverser,
    EventQueue,
    FrameBufferProperties,
    GraphicsEngine,
    GraphicsPipe,
    GraphicsPipeSelection,
    MouseAndKeyboard,
    MouseWatcher,
    NodePath,
    PNMImage,
    WindowProperties,
)

from engine.render.backend import SceneGraph

WINDOW_PIPES = ("pandagl", "p3tinydisplay")
ORBIT_STEP_DEG = 5.0
DRAG_DEG_PER_SCREEN = 180.0


class NoDisplayError(RuntimeError):
    """No display to open a window on (no X server / DISPLAY, or the window could not be created)."""


def _no_display(reason: str) -> NoDisplayError:
    return NoDisplayError(
        f"cannot open a window: {reason}. Run on a desktop session, under a virtual display "
        "(`xvfb-run -a persona play ...`), or headless with `persona play --headless --frames N` "
        "or `persona render SCENE -o OUT.mp4`."
    )


def orbit_matrix(camera: np.ndarray, yaw_deg: float, pitch_deg: float, zoom: float, distance: float) -> np.ndarray:
    """``camera`` (4x4, looks down -Z, Y up) orbited about the point ``distance`` ahead of it."""
    if yaw_deg == 0.0 and pitch_deg == 0.0 and zoom == 1.0:
        return camera
    forward = -camera[:3, 2] / np.linalg.norm(camera[:3, 2])
    pivot = camera[:3, 3] + forward * distance
    yaw, pitch = math.radians(yaw_deg), -math.radians(pitch_deg)  # positive pitch raises the camera
    cy, sy = math.cos(yaw), math.sin(yaw)
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    right = camera[:3, 0] / np.linalg.norm(camera[:3, 0])
    k = np.array([[0, -right[2], right[1]], [right[2], 0, -right[0]], [-right[1], right[0], 0]])
    rp = np.eye(3) + math.sin(pitch) * k + (1 - math.cos(pitch)) * (k @ k)  # Rodrigues about the right axis
    rotation = ry @ rp
    out = np.eye(4)
    out[:3, :3] = rotation @ camera[:3, :3]
    out[:3, 3] = pivot + rotation @ (camera[:3, 3] - pivot) * zoom
    return out


class WindowRenderer(SceneGraph):
    """A window showing the scene graph; arrows / left-drag orbit, wheel zooms, space pauses, F12 saves a PNG.

    The caller's loop reads ``paused`` (stop stepping the simulation, keep drawing) and
    ``closed`` (the user closed the window or pressed Escape). Raises :class:`NoDisplayError`
    when there is no display.
    """

    def __init__(self, width: int = 540, height: int = 960, title: str = "Persona", *, msaa: int = 4,
                 screenshot_dir: Path | str = ".") -> None:
        if os.name == "posix" and not os.environ.get("DISPLAY"):
            raise _no_display("the DISPLAY environment variable is not set")
        self.yaw, self.pitch, self.zoom = 0.0, 0.0, 1.0
        self.orbit_distance = 2.0
        self._scene_camera = (np.eye(4), 35.0, 0.05, 100.0)
        super().__init__(width, height)
        selection = GraphicsPipeSelection.get_global_ptr()
        pipe = selection.make_module_pipe(WINDOW_PIPES[0])
        if pipe is None or not pipe.is_valid():
            raise _no_display(f"the {WINDOW_PIPES[0]} display module could not connect to {os.environ.get('DISPLAY')!r}")
        self.pipe = pipe
        self.backend_name = WINDOW_PIPES[0]
        self.engine = GraphicsEngine(pipe)
        props = WindowProperties.size(self.width, self.height)
        props.set_title(title)
        window = None
        for samples in ((msaa, 0) if msaa else (0,)):
            fbp = FrameBufferProperties()
            fbp.set_rgb_color(True)
            fbp.set_depth_bits(24)
            fbp.set_multisamples(samples)
            window = self.engine.make_output(pipe, "persona-window", 0, fbp, props, GraphicsPipe.BF_require_window)
            if window is not None:
                break
        if window is None:
            raise _no_display("the window could not be created")
        self.window = window
        region = window.make_display_region()
        region.set_camera(self.camera_np)
        region.set_clear_color_active(True)
        region.set_clear_depth_active(True)
        self._region = region
        self.set_shader_swap(False)
        self.paused = False
        self.closed = False
        self.screenshot_dir = Path(screenshot_dir)
        self.screenshots: list[Path] = []
        self._drag: tuple[float, float, float, float] | None = None
        self._data_root = NodePath("persona-data")
        keyboard = self._data_root.attach_new_node(MouseAndKeyboard(window, 0, "keyboard-mouse"))
        self._mouse = MouseWatcher("persona-mouse")
        keyboard.attach_new_node(self._mouse)
        keyboard.attach_new_node(ButtonThrower("persona-buttons"))
        self._traverser = DataGraphTraverser()
        self._events = EventQueue.get_global_event_queue()

    # -- camera -----------------------------------------------------------------------
    def set_camera(self, world_matrix: np.ndarray, fov_deg: float, near: float, far: float) -> None:
        """The scene's camera, with the user's orbit applied on top."""
        self._scene_camera = (np.asarray(world_matrix, dtype=np.float64), fov_deg, near, far)
        orbited = orbit_matrix(self._scene_camera[0], self.yaw, self.pitch, self.zoom, self.orbit_distance)
        super().set_camera(orbited, fov_deg, near, far)

    def set_clear_color(self, rgb: tuple[float, float, float]) -> None:
        """The colour behind everything (sRGB)."""
        self._region.set_clear_color((*(float(c) for c in rgb[:3]), 1.0))

    # -- input ------------------------------------------------------------------------
    def handle_key(self, name: str) -> None:
        """Act on one button event (also used by tests)."""
        if name == "space":
            self.paused = not self.paused
        elif name == "f12":
            self.screenshot()
        elif name in ("escape", "q"):
            self.closed = True
        elif name in ("arrow_left", "arrow_left-repeat"):
            self.yaw -= ORBIT_STEP_DEG
        elif name in ("arrow_right", "arrow_right-repeat"):
            self.yaw += ORBIT_STEP_DEG
        elif name in ("arrow_up", "arrow_up-repeat"):
            self.pitch = min(self.pitch + ORBIT_STEP_DEG, 80.0)
        elif name in ("arrow_down", "arrow_down-repeat"):
            self.pitch = max(self.pitch - ORBIT_STEP_DEG, -80.0)
        elif name == "wheel_up":
            self.zoom = max(self.zoom * 0.9, 0.2)
        elif name == "wheel_down":
            self.zoom = min(self.zoom / 0.9, 5.0)
        elif name == "home":
            self.yaw, self.pitch, self.zoom = 0.0, 0.0, 1.0
        elif name == "mouse1" and self._mouse.has_mouse():
            pos = self._mouse.get_mouse()
            self._drag = (pos.x, pos.y, self.yaw, self.pitch)
        elif name == "mouse1-up":
            self._drag = None

    def poll(self) -> None:
        """Read window events: keys, mouse drags, close requests."""
        self._traverser.traverse(self._data_root.node())
        while not self._events.is_queue_empty():
            event = self._events.dequeue_event()
            self.handle_key(event.name)
        if self._drag is not None and self._mouse.has_mouse():
            pos = self._mouse.get_mouse()
            x0, y0, yaw0, pitch0 = self._drag
            self.yaw = yaw0 - (pos.x - x0) * DRAG_DEG_PER_SCREEN / 2
            self.pitch = float(np.clip(pitch0 + (pos.y - y0) * DRAG_DEG_PER_SCREEN / 2, -80.0, 80.0))
        if self.window.is_closed() or not self.window.get_properties().get_open():
            self.closed = True
        matrix, fov, near, far = self._scene_camera
        self.set_camera(matrix, fov, near, far)

    # -- frames -----------------------------------------------------------------------
    def draw(self) -> None:
        """Handle input, then render one frame to the window."""
        self.poll()
        self.engine.render_frame()

    def read(self) -> np.ndarray:
        """The window's current image as (H, W, 3) uint8 RGB, top row first."""
        texture = self.window.get_screenshot()
        if texture is None:
            raise RuntimeError("could not read the window contents")
        data = np.frombuffer(memoryview(texture.get_ram_image_as("RGB")), dtype=np.uint8)
        return data.reshape(texture.get_y_size(), texture.get_x_size(), 3)[::-1].copy()

    def screenshot(self, path: Path | str | None = None) -> Path:
        """Write the window's image as a PNG (default: persona-YYYYmmdd-HHMMSS-N.png in screenshot_dir)."""
        if path is None:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            path = self.screenshot_dir / f"persona-{stamp}-{len(self.screenshots) + 1}.png"
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        image = PNMImage()
        if not self.window.get_screenshot(image) or not image.write(str(path)):
            raise RuntimeError(f"could not write the screenshot {path}")
        self.screenshots.append(path)
        return path

    def close(self) -> None:
        """Close the window."""
        self.engine.remove_all_windows()
        self.scene.remove_node()
        self.closed = True
