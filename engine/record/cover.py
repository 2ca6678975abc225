"""Cover image: one RGB frame saved as a JPEG, atomically."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from engine.record.atomic import write_atomic


def write_cover(frame: np.ndarray, path: str | os.PathLike[str], quality: int = 90) -> Path:
    """Save an (H, W, 3) uint8 RGB frame (alpha ignored) as a baseline JPEG at ``path``; returns the path."""
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] not in (3, 4):
        raise ValueError(f"expected an (H, W, 3) uint8 frame, got {frame.shape} {frame.dtype}")
    if not 1 <= quality <= 95:
        raise ValueError(f"JPEG quality must be in 1..95, got {quality}")
    image = Image.fromarray(np.ascontiguousarray(frame[:, :, :3]), "RGB")
    # 4:2:0 like the video; optimize=True only shrinks the Huffman tables, output stays deterministic.
    return write_atomic(
        path,
        lambda handle: image.save(
            handle, format="JPEG", quality=quality, optimize=True, subsampling=2
        ),
    )
