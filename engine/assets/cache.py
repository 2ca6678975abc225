"""AssetCache: loaded avatars keyed by resolved path, mtime_ns and size, so an edited file reloads."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from engine.assets.errors import AssetError
from engine.assets.loader import load_avatar
from engine.assets.model import AvatarAsset

CacheKey = tuple[str, int, int]


class AssetCache:
    """A small LRU cache of loaded avatars.

    The key is (resolved path, st_mtime_ns, st_size): saving the file changes the key, so the next
    ``get`` loads it again. Entries are shared: treat a cached asset as read-only.
    """

    def __init__(self, max_entries: int = 16, loader: Callable[[Path], AvatarAsset] = load_avatar) -> None:
        self.max_entries = max_entries
        self._loader = loader
        self._entries: OrderedDict[CacheKey, AvatarAsset] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(path: Path | str) -> CacheKey:
        """The cache key of ``path`` now; AssetError when the file cannot be stat'ed."""
        resolved = Path(path).resolve()
        try:
            stat = resolved.stat()
        except OSError as exc:
            raise AssetError(resolved.name, "", f"cannot read the file: {exc.strerror or exc}") from None
        return str(resolved), stat.st_mtime_ns, stat.st_size

    def get(self, path: Path | str) -> AvatarAsset:
        """The avatar at ``path``, loaded once per file version."""
        key = self.key(path)
        with self._lock:
            asset = self._entries.get(key)
            if asset is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return asset
        asset = self._loader(Path(key[0]))  # outside the lock: loads may be slow
        with self._lock:
            self.misses += 1
            # Drop older versions of the same file, then the least recently used entries.
            for stale in [k for k in self._entries if k[0] == key[0]]:
                del self._entries[stale]
            self._entries[key] = asset
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return asset

    def invalidate(self, path: Path | str) -> None:
        """Forget every cached version of ``path``."""
        resolved = str(Path(path).resolve())
        with self._lock:
            for stale in [k for k in self._entries if k[0] == resolved]:
                del self._entries[stale]

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str | Path):
            return False
        try:
            return self.key(path) in self._entries
        except AssetError:
            return False
