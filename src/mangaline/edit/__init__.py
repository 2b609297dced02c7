"""The edit: OTIO timeline, subtitles, the dialogue mix, and FFmpeg rendering of segments and episodes."""

from .audio import mix_dialogue, soft_limit
from .episode import render_episode
from ..ffmpeg import MediaInfo, audio_levels, count_frames, ffmpeg_exe, probe, read_frame, run_ffmpeg
from .segment import render_segment, video_codec_args
from .subtitles import subtitle_font_family, subtitle_font_file, wrap_lines, write_ass, write_srt
from .timeline import Cut, DialogueClip, build_timeline, write_otio

__all__ = [
    "Cut",
    "DialogueClip",
    "MediaInfo",
    "audio_levels",
    "build_timeline",
    "count_frames",
    "ffmpeg_exe",
    "mix_dialogue",
    "probe",
    "read_frame",
    "render_episode",
    "render_segment",
    "run_ffmpeg",
    "soft_limit",
    "subtitle_font_family",
    "subtitle_font_file",
    "video_codec_args",
    "wrap_lines",
    "write_ass",
    "write_otio",
    "write_srt",
]
