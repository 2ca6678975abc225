"""Encode on a worker thread: the next frame renders while x264 compresses the last one.

PyAV releases the GIL inside FFmpeg, so encoding overlaps with rendering (llvmpipe also
renders outside the GIL). Items keep their order, so the file is the same as a direct write.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from types import TracebackType

import numpy as np

from engine.record.video import VideoWriter

_STOP = object()


class BackgroundWriter:
    """A :class:`VideoWriter` fed through a bounded queue and a worker thread."""

    def __init__(self, writer: VideoWriter, depth: int = 3) -> None:
        self.writer = writer
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="persona-encoder", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if self._error is not None:
                continue  # drain after a failure; the caller hears of it on its next call
            kind, data = item
            try:
                if kind == "video":
                    self.writer.write_video(data)
                else:
                    self.writer.write_audio(data)
            except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
                self._error = error

    def _put(self, kind: str, data: np.ndarray) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put((kind, data))

    def write_video(self, frame: np.ndarray) -> None:
        """Queue a frame (the array must not be modified afterwards)."""
        self._put("video", frame)

    def write_audio(self, samples: np.ndarray) -> None:
        """Queue audio samples (the array must not be modified afterwards)."""
        self._put("audio", np.array(samples, dtype=np.float32, copy=True))

    def _join(self) -> None:
        self._queue.put(_STOP)
        self._thread.join()

    def close(self) -> Path:
        """Encode what is queued, then finish the file (see VideoWriter.close)."""
        self._join()
        if self._error is not None:
            self.writer.abort()
            raise self._error
        return self.writer.close()

    def abort(self) -> None:
        """Drop what is queued and delete the partial file."""
        self._error = self._error or RuntimeError("aborted")
        self._join()
        self.writer.abort()

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
