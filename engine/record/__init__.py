"""Recording: MP4 writer, text overlays, captions/SRT, cover image, AI-generated metadata."""

from engine.record.captions import CaptionTrack, Cue
from engine.record.cover import write_cover
from engine.record.metadata import AI_LABEL, video_metadata
from engine.record.overlay import FontNotFoundError, Overlay
from engine.record.probe import decode_summary, read_frame
from engine.record.video import VideoWriter

__all__ = [
    "AI_LABEL",
    "CaptionTrack",
    "Cue",
    "FontNotFoundError",
    "Overlay",
    "VideoWriter",
    "decode_summary",
    "read_frame",
    "video_metadata",
    "write_cover",
]
