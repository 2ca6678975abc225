"""Video plates: a background video decoded frame by frame in step with scene time, looping."""

from __future__ import annotations

import av
import numpy as np
from panda3d.core import SamplerState, Texture

VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".mkv", ".m4v")


class PlateError(ValueError):
    """The video plate cannot be decoded."""


class VideoPlate:
    """Decodes ``path`` sequentially and keeps a texture showing the frame for the scene time."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self._container = av.open(path)
            stream = self._container.streams.video[0]
        except (av.error.FFmpegError, IndexError, OSError) as error:
            raise PlateError(f"video plate {path}: cannot decode it ({error})") from None
        rate = stream.average_rate or stream.guessed_rate or 30
        self.fps = float(rate)
        self.width, self.height = stream.codec_context.width, stream.codec_context.height
        self._stream = stream
        self._frames = self._container.decode(stream)
        self._index = -1  # index of the frame in the texture, counted from the start of the loop
        self._loop_start = 0.0
        self.texture = Texture(path)
        self.texture.setup_2d_texture(self.width, self.height, Texture.T_unsigned_byte, Texture.F_rgb8)
        self.texture.set_wrap_u(SamplerState.WM_clamp)
        self.texture.set_wrap_v(SamplerState.WM_clamp)
        self.texture.set_minfilter(SamplerState.FT_linear)
        self.show(0.0)

    def _next(self) -> np.ndarray | None:
        try:
            frame = next(self._frames)
        except StopIteration:
            return None
        except av.error.FFmpegError as error:
            raise PlateError(f"video plate {self.path}: decoding failed ({error})") from None
        return frame.to_ndarray(format="rgb24")

    def _restart(self) -> None:
        self._container.seek(0, stream=self._stream)
        self._frames = self._container.decode(self._stream)
        self._index = -1

    def show(self, t: float) -> None:
        """Put the frame for scene time ``t`` (looping) into the texture; decodes forward only."""
        wanted = int((t - self._loop_start) * self.fps + 1e-6)
        image = None
        while self._index < wanted:
            image = self._next()
            if image is None:  # the plate ended: start it again from here
                if self._index < 0:
                    raise PlateError(f"video plate {self.path}: it has no frames")
                self._loop_start += (self._index + 1) / self.fps
                self._restart()
                wanted = int((t - self._loop_start) * self.fps + 1e-6)
                continue
            self._index += 1
        if image is not None:
            # Panda's textures start at the bottom row
            self.texture.set_ram_image_as(np.ascontiguousarray(image[::-1]).tobytes(), "RGB")

    def close(self) -> None:
        """Release the decoder."""
        self._container.close()
