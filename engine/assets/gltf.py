"""The glTF 2.0 container (GLB / .gltf / .vrm via pygltflib), checked JSON access and accessor reading."""

from __future__ import annotations

import base64
import binascii
import json
import math
import struct
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote

import numpy as np
from pygltflib import GLTF2

from engine.assets.errors import AssetError, warning_text

GLB_MAGIC = b"glTF"
CHUNK_JSON = 0x4E4F534A
CHUNK_BIN = 0x004E4942

# componentType -> little-endian numpy dtype; the divisor maps normalized integers to [-1, 1] / [0, 1].
COMPONENT_TYPES: dict[int, tuple[str, float]] = {
    5120: ("<i1", 127.0), 5121: ("<u1", 255.0), 5122: ("<i2", 32767.0),
    5123: ("<u2", 65535.0), 5125: ("<u4", 0.0), 5126: ("<f4", 0.0),
}
# type -> (rows, columns); matrices are stored column by column, each column 4-byte aligned.
ACCESSOR_TYPES: dict[str, tuple[int, int]] = {
    "SCALAR": (1, 1), "VEC2": (2, 1), "VEC3": (3, 1), "VEC4": (4, 1),
    "MAT2": (2, 2), "MAT3": (3, 3), "MAT4": (4, 4),
}
# A zero-filled (view-less) accessor allocates memory from a number in the file: cap it (16M).
MAX_ELEMENTS = 1 << 24


def _align4(n: int) -> int:
    return (n + 3) & ~3


@dataclass(slots=True, eq=False)
class Document:
    """A parsed glTF document: the raw JSON tree, its buffers, and checked accessors to both."""

    name: str  # the file name used in messages
    json: dict
    buffers: list[bytes]
    container: GLTF2 | None = None
    container_error: AssetError | None = None  # raised after our own checks, which name a path
    warnings: list[str] = field(default_factory=list)
    _accessors: dict[int, np.ndarray] = field(default_factory=dict)

    # --- errors and warnings --------------------------------------------------------------
    def fail(self, path: str, message: str) -> NoReturn:
        """Raise AssetError for ``path`` of this file."""
        raise AssetError(self.name, path, message)

    def warn(self, path: str, message: str) -> None:
        """Record a warning for ``path`` of this file."""
        self.warnings.append(warning_text(self.name, path, message))

    # --- checked JSON access ----------------------------------------------------------------
    def items(self, key: str) -> list[Any]:
        """A top-level array such as ``nodes`` (empty when absent)."""
        value = self.json.get(key, [])
        if not isinstance(value, list):
            self.fail(key, f"expected an array, got {type(value).__name__}")
        return value

    def item(self, key: str, index: int) -> dict:
        """``json[key][index]``, which must be an object."""
        return self.obj(self.items(key)[index], f"{key}[{index}]")

    def obj(self, value: Any, path: str) -> dict:
        """``value`` if it is a JSON object."""
        if not isinstance(value, dict):
            self.fail(path, f"expected an object, got {type(value).__name__}")
        return value

    def opt_obj(self, parent: dict, key: str, path: str) -> dict:
        """``parent[key]`` as an object, ``{}`` when absent."""
        value = parent.get(key)
        return {} if value is None else self.obj(value, f"{path}.{key}")

    def array(self, parent: dict, key: str, path: str) -> list:
        """``parent[key]`` as an array, ``[]`` when absent."""
        value = parent.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(f"{path}.{key}", f"expected an array, got {type(value).__name__}")
        return value

    def integer(self, parent: dict, key: str, path: str, default: int | None = None,
                minimum: int = 0, required: bool = False) -> int | None:
        """``parent[key]`` as an int >= minimum (``default`` when absent)."""
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(f"{path}.{key}", "missing")
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{path}.{key}", f"{value!r} is not an integer")
        if value < minimum:
            self.fail(f"{path}.{key}", f"{value} < {minimum}")
        return value

    def index(self, parent: dict, key: str, path: str, collection: str,
              required: bool = False) -> int | None:
        """``parent[key]`` as a valid index into the top-level array ``collection``."""
        value = self.integer(parent, key, path, required=required)
        if value is not None:
            count = len(self.items(collection))
            if value >= count:
                self.fail(f"{path}.{key}", f"index {value} >= {count} {collection}")
        return value

    def number(self, parent: dict, key: str, path: str, default: float) -> float:
        """``parent[key]`` as a finite number."""
        value = parent.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.fail(f"{path}.{key}", f"{value!r} is not a finite number")
        return float(value)

    def numbers(self, parent: dict, key: str, path: str, length: int) -> np.ndarray | None:
        """``parent[key]`` as ``length`` finite numbers (float64), None when absent."""
        value = parent.get(key)
        if value is None:
            return None
        if (not isinstance(value, list) or len(value) != length
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)):
            self.fail(f"{path}.{key}", f"expected {length} numbers, got {_short(value)}")
        out = np.asarray(value, dtype=np.float64)
        if not np.all(np.isfinite(out)):
            self.fail(f"{path}.{key}", "not all finite")
        return out

    def string(self, parent: dict, key: str, path: str, default: str = "") -> str:
        """``parent[key]`` as a string (numbers are tolerated and converted)."""
        value = parent.get(key)
        if value is None:
            return default
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.fail(f"{path}.{key}", f"expected a string, got {type(value).__name__}")

    # --- binary data --------------------------------------------------------------------------
    def buffer_view(self, index: int) -> bytes | memoryview:
        """The bytes of bufferViews[index], bounds-checked against its buffer."""
        path = f"bufferViews[{index}]"
        view = self.item("bufferViews", index)
        buffer = self.index(view, "buffer", path, "buffers", required=True)
        offset = self.integer(view, "byteOffset", path, 0)
        length = self.integer(view, "byteLength", path, required=True, minimum=1)
        data = self.buffers[buffer]
        if offset + length > len(data):
            self.fail(path, f"bytes {offset}..{offset + length} run past the end of buffer {buffer} "
                            f"({len(data)} bytes)")
        return memoryview(data)[offset:offset + length]

    def accessor(self, index: int) -> np.ndarray:
        """accessors[index] as a read-only (count, components) array.

        Floats and normalized integers come back as float32; other integers keep their type.
        Matrices come back flattened column by column (16 values for MAT4), as glTF stores them.
        """
        cached = self._accessors.get(index)
        if cached is None:
            cached = self._read_accessor(index)
            cached.flags.writeable = False
            self._accessors[index] = cached
        return cached

    def _read_accessor(self, index: int) -> np.ndarray:
        path = f"accessors[{index}]"
        acc = self.item("accessors", index)
        ctype = self.integer(acc, "componentType", path, required=True)
        if ctype not in COMPONENT_TYPES:
            self.fail(f"{path}.componentType", f"bad component type {ctype}")
        kind = acc.get("type")
        if not isinstance(kind, str) or kind not in ACCESSOR_TYPES:
            self.fail(f"{path}.type", f"bad accessor type {_short(kind)}")
        count = self.integer(acc, "count", path, required=True, minimum=1)
        normalized = acc.get("normalized", False)
        if not isinstance(normalized, bool):
            self.fail(f"{path}.normalized", f"expected true or false, got {_short(normalized)}")
        dtype_name, scale = COMPONENT_TYPES[ctype]
        if normalized and scale == 0.0:
            self.fail(f"{path}.normalized", f"component type {ctype} cannot be normalized")
        rows, cols = ACCESSOR_TYPES[kind]
        dtype = np.dtype(dtype_name)
        column_bytes = rows * dtype.itemsize
        if cols > 1:
            column_bytes = _align4(column_bytes)
        element_bytes = column_bytes * cols
        components = rows * cols
        view_index = self.index(acc, "bufferView", path, "bufferViews")
        if view_index is None:
            if count * components > MAX_ELEMENTS:
                self.fail(f"{path}.count", f"{count} zero-filled elements is more than this loader accepts")
            out = np.zeros((count, components), dtype=dtype)
        else:
            data = self.buffer_view(view_index)
            offset = self.integer(acc, "byteOffset", path, 0)
            stride = self.integer(self.item("bufferViews", view_index), "byteStride",
                                  f"bufferViews[{view_index}]", 0) or element_bytes
            if stride < element_bytes:
                self.fail(f"bufferViews[{view_index}].byteStride",
                          f"{stride} is smaller than the {element_bytes}-byte elements of {path}")
            end = offset + stride * (count - 1) + element_bytes
            if end > len(data):
                self.fail(path, f"bytes {offset}..{end} run past the end of bufferViews[{view_index}] "
                                f"({len(data)} bytes)")
            raw = np.ndarray((count, element_bytes), dtype=np.uint8, buffer=data, offset=offset,
                             strides=(stride, 1))
            if cols > 1 and column_bytes != rows * dtype.itemsize:  # drop per-column padding
                raw = raw.reshape(count, cols, column_bytes)[:, :, :rows * dtype.itemsize]
            out = np.ascontiguousarray(raw).view(dtype).reshape(count, components).copy()
        sparse = acc.get("sparse")
        if sparse is not None:
            self._apply_sparse(out, self.obj(sparse, f"{path}.sparse"), f"{path}.sparse", count,
                               components, dtype)
        if normalized:
            return np.maximum(out.astype(np.float32) / np.float32(scale), np.float32(-1.0))
        if dtype.kind == "f":
            return out.astype(np.float32, copy=False)
        return out

    def _apply_sparse(self, out: np.ndarray, sparse: dict, path: str, count: int, components: int,
                      dtype: np.dtype) -> None:
        n = self.integer(sparse, "count", path, required=True, minimum=1)
        if n > count:
            self.fail(f"{path}.count", f"{n} > accessor count {count}")
        indices_obj = self.opt_obj(sparse, "indices", path)
        values_obj = self.opt_obj(sparse, "values", path)
        if not indices_obj or not values_obj:
            self.fail(path, "needs both indices and values")
        ipath, vpath = f"{path}.indices", f"{path}.values"
        itype = self.integer(indices_obj, "componentType", ipath, required=True)
        if itype not in (5121, 5123, 5125):
            self.fail(f"{ipath}.componentType", f"bad component type {itype} for sparse indices")
        indices = self._sparse_block(indices_obj, ipath, np.dtype(COMPONENT_TYPES[itype][0]), n, 1)
        indices = indices.reshape(n).astype(np.int64)
        if np.any(indices >= count):
            self.fail(ipath, f"index {int(indices.max())} >= {count} elements")
        if n > 1 and np.any(np.diff(indices) <= 0):
            self.fail(ipath, "indices are not strictly increasing")
        out[indices] = self._sparse_block(values_obj, vpath, dtype, n, components)

    def _sparse_block(self, obj: dict, path: str, dtype: np.dtype, n: int, components: int) -> np.ndarray:
        view_index = self.index(obj, "bufferView", path, "bufferViews", required=True)
        data = self.buffer_view(view_index)
        offset = self.integer(obj, "byteOffset", path, 0)
        size = n * components * dtype.itemsize
        if offset + size > len(data):
            self.fail(path, f"bytes {offset}..{offset + size} run past the end of "
                            f"bufferViews[{view_index}] ({len(data)} bytes)")
        return np.frombuffer(data, dtype=dtype, count=n * components, offset=offset).reshape(n, components)

    def accessor_of(self, parent: dict, key: str, path: str, types: tuple[str, ...] = ()) -> np.ndarray | None:
        """The accessor that ``parent[key]`` names (None when absent), checked for its type."""
        index = self.index(parent, key, path, "accessors")
        if index is None:
            return None
        if types:
            kind = self.item("accessors", index).get("type")
            if kind not in types:
                self.fail(f"{path}.{key}", f"accessor {index} is {_short(kind)}, expected {'/'.join(types)}")
        return self.accessor(index)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# --- the container --------------------------------------------------------------------------------
def split_glb(data: bytes, name: str) -> tuple[bytes, bytes | None]:
    """Check the GLB header and chunk table; return (JSON chunk, BIN chunk or None)."""
    if len(data) < 12:
        raise AssetError(name, "header", f"{len(data)} bytes is shorter than the 12-byte GLB header")
    magic, version, length = data[:4], *struct.unpack_from("<II", data, 4)
    if magic != GLB_MAGIC:
        raise AssetError(name, "header.magic", f"wrong magic {magic!r}, expected {GLB_MAGIC!r}")
    if version != 2:
        raise AssetError(name, "header.version", f"version {version}, only glTF 2 is supported")
    if length > len(data):
        raise AssetError(name, "header.length", f"{length} bytes declared but the file has "
                                                f"{len(data)} (truncated)")
    position, chunk, json_chunk, bin_chunk = 12, 0, None, None
    while position < length:
        if position + 8 > length:
            raise AssetError(name, f"chunks[{chunk}]", "truncated chunk header")
        size, kind = struct.unpack_from("<II", data, position)
        position += 8
        if position + size > length:
            raise AssetError(name, f"chunks[{chunk}]", f"length {size} runs past the end of the file "
                                                       f"({length - position} bytes left; truncated)")
        body = data[position:position + size]
        if chunk == 0:
            if kind != CHUNK_JSON:
                raise AssetError(name, "chunks[0].type", f"{struct.pack('<I', kind)!r}, the first chunk "
                                                         "must be JSON")
            json_chunk = body
        elif kind == CHUNK_BIN and bin_chunk is None:
            bin_chunk = body
        position += size
        chunk += 1
    if json_chunk is None:
        raise AssetError(name, "chunks[0]", "missing JSON chunk")
    return json_chunk, bin_chunk


def _parse_json(text: bytes, name: str, where: str) -> dict:
    try:
        tree = json.loads(text.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise AssetError(name, where, f"not JSON: {exc}") from None
    if not isinstance(tree, dict):
        raise AssetError(name, where, f"the document is a JSON {type(tree).__name__}, not an object")
    return tree


def _container(doc: Document, data: bytes, glb: bool) -> None:
    """The pygltflib view of the same file; its complaints are kept, to raise after our own checks."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if glb:
                doc.container = GLTF2.load_from_bytes(data)
            else:
                doc.container = GLTF2.gltf_from_json(data.decode("utf-8-sig"))
    except Exception as exc:  # noqa: BLE001 - a third-party parser on hostile input: any failure is bad data
        doc.container_error = AssetError(doc.name, "", f"pygltflib cannot read the document: "
                                                       f"{type(exc).__name__}: {_short(str(exc))}")


def _data_uri(uri: str, name: str, path: str) -> tuple[bytes, str]:
    head, sep, payload = uri.partition(",")
    if not sep:
        raise AssetError(name, path, "malformed data: URI")
    mime = head[5:].split(";")[0]
    try:
        if head.endswith(";base64"):
            return base64.b64decode(payload, validate=False), mime
        return unquote(payload).encode("latin-1"), mime
    except (binascii.Error, ValueError) as exc:
        raise AssetError(name, path, f"bad data: URI: {exc}") from None


def read_uri(uri: Any, base: Path, name: str, path: str) -> tuple[bytes, str]:
    """Bytes and MIME type (may be empty) of a data: URI or a file beside the glTF; never a URL."""
    if not isinstance(uri, str):
        raise AssetError(name, path, f"expected a string, got {type(uri).__name__}")
    if uri.startswith("data:"):
        return _data_uri(uri, name, path)
    relative = unquote(uri)
    if "://" in uri or uri.startswith("//") or Path(relative).is_absolute() or ":" in relative.split("/")[0]:
        raise AssetError(name, path, f"{_short(uri)} is not a relative file path; Persona never fetches URLs")
    target = (base / relative).resolve()
    if not target.is_relative_to(base.resolve()):
        raise AssetError(name, path, f"{_short(relative)} leaves the folder of {name}; "
                                     "keep buffers and images beside the model")
    try:
        return target.read_bytes(), ""
    except OSError as exc:
        raise AssetError(name, path, f"cannot read {_short(relative)} beside {name}: "
                                     f"{exc.strerror or exc}") from None


def read_document(path: Path) -> Document:
    """Read a .glb / .vrm / .gltf file: check its framing, parse its JSON, resolve its buffers."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AssetError(name, "", f"cannot read the file: {exc.strerror or exc}") from None
    glb = data[:4] == GLB_MAGIC or path.suffix.lower() in (".glb", ".vrm")
    if glb:
        json_chunk, bin_chunk = split_glb(data, name)
        tree = _parse_json(json_chunk, name, "chunks[0]")
    else:
        bin_chunk = None
        tree = _parse_json(data, name, "")
    doc = Document(name=name, json=tree, buffers=[])
    asset = doc.opt_obj(tree, "asset", "")
    version = doc.string(asset, "version", "asset", "")
    if not version:
        doc.warn("asset.version", "missing; assuming glTF 2.0")
    elif not version.startswith("2"):
        doc.fail("asset.version", f"{version!r}, only glTF 2.x is supported")
    _container(doc, data, glb)
    for i, buffer in enumerate(doc.items("buffers")):
        bpath = f"buffers[{i}]"
        buffer = doc.obj(buffer, bpath)
        length = doc.integer(buffer, "byteLength", bpath, required=True, minimum=1)
        if buffer.get("uri") is None:
            if i != 0 or bin_chunk is None:
                doc.fail(f"{bpath}.uri", "missing, and the file has no GLB BIN chunk")
            blob = bin_chunk
        else:
            blob, _ = read_uri(buffer["uri"], path.parent, name, f"{bpath}.uri")
        if len(blob) < length:
            doc.fail(f"{bpath}.byteLength", f"{length} bytes declared but only {len(blob)} present")
        doc.buffers.append(blob[:length])
    return doc
