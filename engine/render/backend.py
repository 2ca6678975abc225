"""Panda3D render backends: an offscreen buffer with RAM readback, and the shared scene-graph plumbing."""

from __future__ import annotations

import logging
import math
import os

import numpy as np

# Mesa llvmpipe splits each frame across rasterizer threads, and then a rare edge pixel can
# differ between two runs of the same scene (seen: 1 pixel in 7 of 150 frames). One rasterizer
# thread keeps renders bit-exact, as `persona render` promises; the encoder runs on the other
# core meanwhile. Set LP_NUM_THREADS=2 yourself for ~30% faster CPU renders that are not.
os.environ.setdefault("LP_NUM_THREADS", "1")

from panda3d.core import (  # noqa: E402 - after the llvmpipe setting above
    Camera,
    CullBinEnums,
    CullBinManager,
    DepthTestAttrib,
    FrameBufferProperties,
    GraphicsEngine,
    GraphicsOutput,
    GraphicsPipe,
    GraphicsPipeSelection,
    Mat4,
    NodePath,
    PerspectiveLens,
    RenderAttrib,
    Texture,
    WindowProperties,
    load_prc_file_data,
)

log = logging.getLogger("persona.render")

# Quiet, deterministic, no vsync, no audio; our own shaders do the sRGB encode.
load_prc_file_data(
    "persona-render",
    "audio-library-name null\nsync-video false\nframebuffer-srgb false\n"
    "notify-level-display error\nnotify-level-glgsg error\ngl-debug false\n"
    "textures-power-2 none\ntexture-minfilter linear-mipmap-linear\n",
)

BACKDROP_TAG = "persona-backdrop"
# Drawn after opaque content, before transparent: outlines (10), floor (20), backdrop (100), shadows (110).
LATE_BIN = "persona-late"
if not CullBinManager.get_global_ptr().find_bin(LATE_BIN) >= 0:
    CullBinManager.get_global_ptr().add_bin(LATE_BIN, CullBinEnums.BT_fixed, 25)
OFFSCREEN_PIPES = ("p3headlessgl", "p3tinydisplay")
# Y-up (glTF) -> Z-up (Panda3D): (x, y, z) -> (x, -z, y), applied once at the content root.
_Y_UP_TO_Z_UP = np.array([[1, 0, 0, 0], [0, 0, -1, 0], [0, 1, 0, 0], [0, 0, 0, 1]], dtype=np.float64)
# A Panda camera looks down +Y with +Z up; a glTF camera looks down -Z with +Y up.
_PANDA_CAM_TO_GLTF_CAM = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, -1, 0, 0], [0, 0, 0, 1]], dtype=np.float64)


class RenderBackendError(RuntimeError):
    """No Panda3D graphics pipe could open the requested output."""


def to_panda_mat(matrix: np.ndarray) -> Mat4:
    """A column-vector numpy 4x4 as a Panda3D (row-vector) Mat4."""
    return Mat4(*np.asarray(matrix, dtype=np.float64).T.reshape(16).tolist())


def vertical_to_horizontal_fov(fov_deg: float, aspect: float) -> float:
    """The horizontal field of view (degrees) matching a vertical one at ``aspect`` (w / h)."""
    return math.degrees(2.0 * math.atan(math.tan(math.radians(fov_deg) / 2.0) * aspect))


class SceneGraph:
    """The Panda3D scene graph every renderer shares: a Y-up content root, a backdrop, a camera.

    ``root`` holds content in glTF coordinates; ``backdrop`` holds full-frame cards (their
    shader places them at the far plane) drawn after everything else; nodes tagged
    ``persona-backdrop`` (the backdrop, the floor) are hidden in alpha output.
    """

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = int(width), int(height)
        self.scene = NodePath("persona-scene")
        self.root = self.scene.attach_new_node("y-up")
        self.root.set_mat(to_panda_mat(_Y_UP_TO_Z_UP))
        self.camera_np = self.root.attach_new_node(Camera("persona-camera"))
        self.lens = PerspectiveLens()
        self.camera_np.node().set_lens(self.lens)
        self.camera_matrix = np.eye(4)
        self.fov_deg = 35.0
        # drawn after the opaque content at the far plane, so covered pixels are never shaded
        self.backdrop = self.scene.attach_new_node("persona-backdrop-layer")
        self.backdrop.set_bin(LATE_BIN, 100)
        self.backdrop.set_depth_write(False)
        self.backdrop.set_attrib(DepthTestAttrib.make(RenderAttrib.M_less_equal))
        self.backdrop.set_tag(BACKDROP_TAG, "1")
        self.set_camera(np.eye(4), 35.0, 0.05, 100.0)

    @property
    def aspect(self) -> float:
        """Output width over height."""
        return self.width / self.height

    def set_camera(self, world_matrix: np.ndarray, fov_deg: float, near: float, far: float) -> None:
        """Place the camera: a Y-up world matrix (looking down -Z), vertical fov in degrees."""
        matrix = np.asarray(world_matrix, dtype=np.float64)
        self.camera_matrix = matrix.copy()
        self.fov_deg = float(fov_deg)
        self.camera_np.set_mat(to_panda_mat(matrix @ _PANDA_CAM_TO_GLTF_CAM))
        self.lens.set_fov(vertical_to_horizontal_fov(fov_deg, self.aspect), float(fov_deg))
        self.lens.set_near_far(float(near), float(far))

    def set_shader_swap(self, swap: bool) -> None:
        """Tell every shader whether to write BGR (see OffscreenRenderer) through the ``u_bgr`` input."""
        self.scene.set_shader_input("u_bgr", 1.0 if swap else 0.0, priority=100)

    def view_matrix(self) -> np.ndarray:
        """World (Y-up) -> camera (glTF view space) matrix: the inverse of the camera's world matrix."""
        return np.linalg.inv(self.camera_matrix)

    def to_view_dir(self, direction: np.ndarray) -> np.ndarray:
        """A world (Y-up) direction in the shaders' view space (Panda camera space: +Y forward, +Z up)."""
        rotation = _PANDA_CAM_TO_GLTF_CAM[:3, :3].T @ np.linalg.inv(self.camera_matrix[:3, :3])
        out = rotation @ np.asarray(direction, dtype=np.float64)
        return out / max(float(np.linalg.norm(out)), 1e-12)

    def draw(self) -> None:
        """Render one frame (implemented by the concrete renderers)."""
        raise NotImplementedError

    def read(self) -> np.ndarray:
        """The last frame as (H, W, 3) uint8 RGB, top row first (implemented by the concrete renderers)."""
        raise NotImplementedError

    def backdrop_nodes(self) -> list[NodePath]:
        """Content nodes that belong to the background (hidden in alpha output)."""
        return list(self.scene.find_all_matches(f"**/={BACKDROP_TAG}"))


def _make_pipe(names: tuple[str, ...]) -> tuple[GraphicsPipe, str]:
    selection = GraphicsPipeSelection.get_global_ptr()
    errors = []
    for name in names:
        pipe = selection.make_module_pipe(name)
        if pipe is not None and pipe.is_valid():
            return pipe, name
        errors.append(name)
    raise RenderBackendError(f"no graphics pipe could be opened (tried {', '.join(errors)})")


class OffscreenRenderer(SceneGraph):
    """Renders the scene graph into an offscreen buffer and reads frames back into numpy.

    Tries ``p3headlessgl`` (EGL; Mesa llvmpipe on CPU) and falls back to ``p3tinydisplay``
    (software, no shaders) with a warning; ``backend_name`` says which one is in use.
    Colour frames come from an RGB buffer (no alpha) whose shaders write BGR, so the
    glReadPixels bytes are already RGB and the readback is one row-flipping copy.
    """

    def __init__(self, width: int, height: int, msaa: int = 4, *, pipes: tuple[str, ...] = OFFSCREEN_PIPES) -> None:
        if width <= 0 or height <= 0:
            raise ValueError(f"render size must be positive, not {width}x{height}")
        super().__init__(width, height)
        self.msaa = int(msaa)
        pipe, name = _make_pipe(pipes)
        if name != pipes[0]:
            log.warning("render: %s unavailable, falling back to %s (no shaders, lower quality)", pipes[0], name)
        self.pipe = pipe
        self.backend_name = name
        self.engine = GraphicsEngine(pipe)
        self.shaders_supported = name != "p3tinydisplay"
        self.bgr_swap = self.shaders_supported  # shaders write BGR so readback bytes are RGB
        self._clear_color = (0.0, 0.0, 0.0)
        self._outputs: dict[bool, tuple[GraphicsOutput, Texture, list]] = {}
        self._output(alpha=False)
        self.set_shader_swap(self.bgr_swap)

    # -- outputs --------------------------------------------------------------------
    def _make_buffer(self, alpha: bool, msaa: int) -> GraphicsOutput | None:
        fbp = FrameBufferProperties()
        fbp.set_rgba_bits(8, 8, 8, 8 if alpha else 0)
        fbp.set_depth_bits(24)
        fbp.set_multisamples(msaa)
        props = WindowProperties.size(self.width, self.height)
        return self.engine.make_output(self.pipe, f"persona-offscreen-{'rgba' if alpha else 'rgb'}", 0,
                                       fbp, props, GraphicsPipe.BF_refuse_window)

    def _output(self, alpha: bool) -> tuple[GraphicsOutput, Texture, list]:
        cached = self._outputs.get(alpha)
        if cached is not None:
            return cached
        msaa = self.msaa if self.shaders_supported else 0
        buffer = self._make_buffer(alpha, msaa)
        if buffer is None and msaa:
            log.warning("render: %dx MSAA unavailable, rendering without multisampling", msaa)
            self.msaa = msaa = 0
            buffer = self._make_buffer(alpha, 0)
        if buffer is None:
            raise RenderBackendError(f"{self.backend_name}: could not open a {self.width}x{self.height} buffer")
        texture = Texture("persona-frame")
        buffer.add_render_texture(texture, GraphicsOutput.RTM_copy_ram)
        region = buffer.make_display_region()
        region.set_camera(self.camera_np)
        region.set_clear_color_active(True)
        region.set_clear_depth_active(True)
        region.set_clear_color((0.0, 0.0, 0.0, 0.0))
        self._outputs[alpha] = (buffer, texture, [region])
        self.set_clear_color(self._clear_color)
        return self._outputs[alpha]

    def set_clear_color(self, rgb: tuple[float, float, float]) -> None:
        """The colour behind everything (sRGB, 0..1) when no backdrop covers the frame."""
        self._clear_color = tuple(float(c) for c in rgb[:3])
        r, g, b = self._clear_color
        colour = (b, g, r, 1.0) if self.bgr_swap else (r, g, b, 1.0)
        for alpha, (_, _, (region,)) in self._outputs.items():
            if not alpha:
                region.set_clear_color(colour)

    # -- frames ---------------------------------------------------------------------
    def draw(self) -> None:
        """Render one frame into the colour buffer (the RAM copy happens inside)."""
        self.engine.render_frame()

    def read(self) -> np.ndarray:
        """The last drawn frame as a contiguous (H, W, 3) uint8 RGB array, top row first."""
        _, texture, _ = self._outputs[False]
        data = np.frombuffer(memoryview(texture.get_ram_image()), dtype=np.uint8)
        channels = data.size // (self.width * self.height)
        image = data.reshape(self.height, self.width, channels)[::-1]
        if channels == 3 and self.bgr_swap:
            return image.copy()
        return np.ascontiguousarray(image[:, :, 2::-1] if channels >= 3 else np.repeat(image, 3, axis=2))

    def render(self) -> np.ndarray:
        """Draw and read back one RGB frame."""
        self.draw()
        return self.read()

    def render_rgba(self) -> np.ndarray:
        """Render with a transparent background (no backdrop, no floor): (H, W, 4) uint8 RGBA."""
        rgb_buffer = self._outputs[False][0]
        buffer, texture, _ = self._output(alpha=True)
        hidden = [n for n in self.backdrop_nodes() if not n.is_hidden()]
        for node in hidden:
            node.hide()
        rgb_buffer.set_active(False)
        buffer.set_active(True)
        try:
            self.engine.render_frame()
        finally:
            buffer.set_active(False)
            rgb_buffer.set_active(True)
            for node in hidden:
                node.show()
        data = np.frombuffer(memoryview(texture.get_ram_image()), dtype=np.uint8)
        image = data.reshape(self.height, self.width, 4)[::-1]
        if self.bgr_swap:  # shader wrote (b, g, r, a): the BGRA bytes read back as RGBA
            return image.copy()
        return np.ascontiguousarray(image[:, :, [2, 1, 0, 3]])

    def close(self) -> None:
        """Release the buffers and the graphics engine."""
        for buffer, _, _ in self._outputs.values():
            self.engine.remove_window(buffer)
        self._outputs.clear()
        self.engine.remove_all_windows()
        self.scene.remove_node()

    def __enter__(self) -> OffscreenRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
