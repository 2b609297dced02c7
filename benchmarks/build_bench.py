"""Draft build benchmarks: render speed against FFmpeg alone, rebuild costs, and peak memory.

Prints figures and ratios against baselines measured in the same run:
- render speed: finished seconds per wall-clock second for the example episode, and the
  build's speed as a share of FFmpeg alone encoding as many 1080x1920 frames (the floor);
- rebuilds: a no-op rebuild, and a one-line edit as a share of the full build, each in fresh processes and
  again handed to warm workers (`mangaline workers start`);
- memory: peak resident memory of the whole process tree during a full build, and how
  it grows from a 10-shot to a 100-shot script.

    .venv/bin/python benchmarks/build_bench.py [--skip-memory-growth]
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from ruamel.yaml import YAML

import mangaline
from mangaline.ffmpeg import ffmpeg_exe, probe
from mangaline.edit.segment import video_codec_args

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "last-ferry.fountain"


class PeakMemory:
    """Samples the resident memory of a process and all its children, keeping the peak."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                procs = [root, *root.children(recursive=True)]
                total = 0
                for proc in procs:
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            self._stop.wait(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def cli(*args: object) -> tuple[float, int]:
    """Run `mangaline ...`; returns (wall seconds, peak bytes of the process tree)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mangaline.cli", *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    with PeakMemory(proc.pid) as memory:
        _, stderr = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"mangaline {' '.join(map(str, args))} failed:\n{stderr}")
    return time.perf_counter() - started, memory.peak


def one_line_edit(project: Path, words: str) -> tuple[float, int]:
    """Add ``words`` to the script's first line of dialogue and build again: (wall seconds, peak bytes)."""
    yaml = YAML()
    path = project / "script" / "ep01.yaml"
    doc = yaml.load(path)
    line = next(s for sc in doc["scenes"] for s in sc["shots"] if s["dialogue"])["dialogue"][0]
    line["text"] = line["text"] + words
    yaml.dump(doc, path)
    return cli("build", project, "--no-progress")


def floor_seconds(frames: int, width: int = 1080, height: int = 1920, fps: int = 24) -> float:
    """FFmpeg alone: encode as many frames of a synthetic source with the segment's x264 settings."""
    started = time.perf_counter()
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={fps}",
         "-frames:v", str(frames), *video_codec_args(fps), "-f", "null", "-"],
        check=True,
    )
    return time.perf_counter() - started


def synthetic_script(shots: int) -> str:
    """A two-hander of short lines: the planner gives about one shot per line."""
    lines = ["Title: Memory Growth", "", "INT. WAITING ROOM - NIGHT", "", "A bare room with a clock and a bench.", ""]
    for i in range(shots - 1):
        speaker = "ANNA" if i % 2 == 0 else "BORIS"
        lines += [speaker, f"Line number {i + 1}, said plainly.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-memory-growth", action="store_true", help="skip the 10-shot vs 100-shot builds")
    args = parser.parse_args()
    # as `make` leaves it: the line's modules compiled once, not at every command's and worker's start
    compileall.compile_dir(Path(mangaline.__file__).parent, quiet=1)
    work = Path(tempfile.mkdtemp(prefix="mangaline-bench-"))
    try:
        project = work / "last-ferry"
        cli("new", project, "--from", EXAMPLE)
        full, peak = cli("build", project, "--no-progress")
        info = probe(project / "renders" / "ep01.mp4")
        frames = round(info.duration * 24)
        floor = floor_seconds(frames)
        print("== draft render speed (examples/last-ferry.fountain, 1080x1920, 24 fps) ==")
        print(f"cores                        {os.cpu_count()}")
        print(f"episode                      {info.duration:.1f} s ({frames} frames)")
        print(f"full build                   {full:.1f} s wall  -> {info.duration / full:.2f}x real time (target >= 1.5x)")
        print(f"floor: ffmpeg alone          {floor:.1f} s wall  ({frames / floor:.0f} fps)")
        print(f"build speed / floor          {floor / full:.0%} (target >= 70%)")

        noop, _ = cli("build", project, "--no-progress")
        edit, _ = one_line_edit(project, " Again.")
        # the same again with warm workers (`mangaline workers start`): no interpreter or worker starts, nothing imported
        os.environ["MANGALINE_WORKERS_SOCKET"] = str(work / "warm.sock")
        cli("workers", "start", "--idle", "10")
        try:
            warm_noop, _ = cli("build", project, "--no-progress")
            warm_edit, _ = one_line_edit(project, " Once more.")
        finally:
            cli("workers", "stop")
        print("== rebuilds ==")
        print(f"no-op rebuild                {noop:.2f} s  ({noop / full:.1%} of the full build)")
        print(f"one-line edit rebuild        {edit:.2f} s  ({edit / full:.1%} of the full build; target <= 5%)")
        print(f"  with warm workers: no-op   {warm_noop:.2f} s  ({warm_noop / full:.1%})")
        print(f"  with warm workers: edit    {warm_edit:.2f} s  ({warm_edit / full:.1%} of the full build; target <= 5%)")

        print("== memory ==")
        print(f"peak RSS, full build         {peak / 2**20:.0f} MiB (process tree; target <= 1536 MiB)")
        if not args.skip_memory_growth:
            peaks = {}
            for shots in (10, 100):
                source = work / f"growth-{shots}.fountain"
                source.write_text(synthetic_script(shots), encoding="utf-8")
                target = work / f"growth-{shots}"
                cli("new", target, "--from", source)
                _, peaks[shots] = cli("build", target, "--no-progress")
                print(f"peak RSS, {shots:3d}-shot script    {peaks[shots] / 2**20:.0f} MiB")
            print(f"growth 10 -> 100 shots       {peaks[100] / peaks[10]:.2f}x (target: flat, ~1.0x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
