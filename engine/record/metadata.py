"""MP4 metadata tags that name the generator and mark a video as synthetic (AI-generated).

Which keys survive in the MP4 (FFmpeg 8 mov muxer, as bundled with PyAV 18.1; checked by
tests/test_record.py reading them back with PyAV):

* ``VideoWriter`` opens the muxer with ``movflags=use_metadata_tags``: every key is written
  as a QuickTime ``mdta`` key and reads back unchanged, custom keys included (``AIGC``,
  ``software``, ``synthetic``, ``ai_generated``, ``scene_id``, ``seed``, ``generator``).
* Without that flag only the iTunes/QuickTime list survives (title, artist, album, comment,
  genre, copyright, description, synopsis, keywords, creation_time, ...); custom keys and
  ``software`` are silently dropped.
* ``encoder`` can never be set by us: the muxer overwrites it with its own ``Lavf...``
  string, or removes it in bitexact mode (which ``VideoWriter`` uses). The generator is
  therefore carried in ``software`` and ``generator``.
* ``creation_time`` is written only when given (ISO 8601); otherwise no wall-clock time
  enters the file, which keeps renders byte-identical.
"""

from __future__ import annotations

import hashlib
import json

from engine import __version__

AI_LABEL = "AI生成 / AI-generated"
PRODUCER = "Persona"


def produce_id(scene_id: str, seed: int) -> str:
    """A stable content id for one render of ``scene_id`` with ``seed`` (same inputs, same id)."""
    digest = hashlib.sha256(f"{scene_id}\0{seed}".encode()).hexdigest()[:16]
    return f"persona-{digest}"


def aigc_label(
    scene_id: str,
    seed: int,
    *,
    producer: str = PRODUCER,
    propagator: str = "",
    propagate_id: str = "",
) -> str:
    """The implicit AIGC label as compact JSON, following China's AI-generated-content labelling
    practice (GB 45438-2025 metadata fields): ``Label`` "1" means AI-generated."""
    fields = {
        "Label": "1",
        "ContentProducer": producer,
        "ProduceID": produce_id(scene_id, seed),
        "ReservedCode1": "",
        "ContentPropagator": propagator,
        "PropagateID": propagate_id,
        "ReservedCode2": "",
    }
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def video_metadata(
    scene_id: str,
    title: str,
    seed: int,
    generator: str = f"Persona {__version__}",
    *,
    creation_time: str | None = None,
    propagator: str = "",
) -> dict[str, str]:
    """MP4 tags for one render: title, generator, and explicit synthetic / AI-generated marks.

    ``creation_time`` (ISO 8601, e.g. "2025-01-01T00:00:00Z") is included only when given,
    so the default output stays byte-identical between runs.
    """
    tags = {
        "title": title,
        "comment": f"{AI_LABEL}. Synthetic video rendered by {generator} (scene {scene_id}, seed {seed}).",
        "description": f"{AI_LABEL}: a synthetic digital-human video; no real person was filmed.",
        "software": generator,
        "generator": generator,
        "synthetic": "true",
        "ai_generated": "true",
        "scene_id": scene_id,
        "seed": str(seed),
        "AIGC": aigc_label(scene_id, seed, propagator=propagator),
    }
    if creation_time is not None:
        tags["creation_time"] = creation_time
    return tags
