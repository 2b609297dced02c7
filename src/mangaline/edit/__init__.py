"""The edit: the OTIO timeline, subtitles, the stereo mix and its stems, and FFmpeg rendering of segments and episodes."""

from .audio import EpisodeMix, mix_dialogue, mix_episode, soft_limit, speech_gain, true_peak
from .episode import LOUDNESS_TARGET, EpisodeRender, render_episode
from ..ffmpeg import MediaInfo, audio_levels, count_frames, ffmpeg_exe, probe, read_frame, run_ffmpeg
from .segment import render_segment, video_codec_args
from .subtitles import subtitle_font_family, subtitle_font_file, wrap_lines, write_ass, write_srt
from .timeline import AudioPlacement, Cut, DialogueClip, SoundClip, TimelineMedia, build_timeline, for_export, media, write_otio

__all__ = [
    "LOUDNESS_TARGET",
    "AudioPlacement",
    "Cut",
    "EpisodeMix",
    "EpisodeRender",
    "SoundClip",
    "TimelineMedia",
    "for_export",
    "media",
    "mix_episode",
    "speech_gain",
    "true_peak",
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
