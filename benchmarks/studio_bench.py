"""How fast the studio answers on a 100-shot project: every page, several times, against a static file of the same app.

The project is made cheaply, not built: the example's screenplay three times over and one more scene (101 shots in
one episode) goes through `mangaline new`, then every shot gets the takes a draft build and a review leave behind,
written through the project API (a keyframe take with a picture, two when a retake was asked, a clip, a segment,
notes, tasks, a run with its step events, ledger charges, uploaded references). The studio runs in uvicorn on
127.0.0.1, in a thread, and is asked over HTTP. Prints each page's median and worst latency, its ratio to the
static file's median, and whether its worst answer came within the budget. The machine's load average is printed
with them: on a shared machine a page's worst answer is mostly the time it waited for a core.

    .venv/bin/python benchmarks/studio_bench.py [--repeats N] [--work DIR] [--budget-ms MS]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

import httpx  # noqa: E402
from PIL import Image  # noqa: E402

from mangaline import production  # noqa: E402
from mangaline.engine import data_version  # noqa: E402
from mangaline.model import Note, Provenance, Take, Task, TaskStatus, TaskType  # noqa: E402
from mangaline.project import ProjectFolder  # noqa: E402
from mangaline.project.state import StepEvent  # noqa: E402
from mangaline.providers.ledger import Charge, Ledger  # noqa: E402

SHOTS = 100
"""At least this many shots, or the run stops: the figures are for a project this size."""
BUDGET_MS = 300.0
EXTRA_SCENE = """INT. HARBOUR TICKET OFFICE - LATER

OLD TOM
Safe crossing, miss.
"""


def screenplay() -> str:
    """The example's scenes three times over, then one short scene: 101 shots when broken down."""
    text = (ROOT / "examples" / "last-ferry.fountain").read_text(encoding="utf-8")
    title, _, body = text.partition("\n\nINT.")
    body = ("INT." + body).replace("CUT TO:", "").strip()
    return "\n\n".join([title, body, body, body, EXTRA_SCENE])


def make_project(work: Path) -> Path:
    """A project whose script has SHOTS shots (or more), its state filled as a built and reviewed one's would be."""
    root = work / "hundred-shots"
    if root.exists():
        shutil.rmtree(root)
    source = work / "hundred-shots.fountain"
    source.write_text(screenplay(), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "mangaline.cli", "new", str(root), "--from", str(source)], check=True,
                   capture_output=True, text=True)
    folder = ProjectFolder.open(root)
    try:
        fill_state(folder)
    finally:
        folder.close()
    return root


def _png(width: int, height: int, shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (shade % 256, (shade * 7) % 256, (shade * 13) % 256)).save(out, "PNG")
    return out.getvalue()


def _take(folder: ProjectFolder, step: str, entity: str, components: dict[str, str], data: dict, *, seed: int = 0,
          at: datetime, run: str, prompt: str | None = None, cost: float = 0.0) -> Take:
    take = Take(
        id=uuid.uuid4().hex, step=step, entity=entity, cache_key=uuid.uuid4().hex + uuid.uuid4().hex,
        data_version=data_version(components, data), components=components, data=data,
        provenance=Provenance(step=step, code_version="1", params_sha256="0" * 64, provider="draft",
                              model="draft-renderer", seed=seed, prompt=prompt, cost=cost),
        created_at=at, run_id=run,
    )
    return folder.state.record_take(take)


def fill_state(folder: ProjectFolder) -> None:
    """Takes, notes, tasks, events and charges for every shot, as a draft build and a round of review leave them."""
    state = folder.state
    script = folder.load_script()
    bible = folder.load_bible()
    shots = script.shots()
    run = state.begin_run("build (benchmark)")
    at = datetime.now(UTC) - timedelta(hours=1)
    segment = folder.objects.put_bytes(b"\0\0\0\x18ftypisom" + b"\0" * 2048)  # never played: only its address is shown
    events: list[StepEvent] = []
    for cid in bible.characters:
        sheet = folder.objects.put_bytes(_png(1024, 640, len(cid)))
        _take(folder, "design.character_sheet", cid, {"sheet.png": sheet}, {"version": 1}, at=at, run=run)
        production.upload_reference(folder, "character", cid, _png(512, 768, 3 * len(cid)), filename=f"{cid}.png",
                                    author="benchmark")
    for location in bible.locations:
        production.upload_reference(folder, "set", location, _png(768, 512, len(location)), filename=f"{location}.png",
                                    author="benchmark")
    ledger = Ledger(state)
    for number, shot in enumerate(shots):
        picture = folder.objects.put_bytes(_png(202, 360, number))
        keyframe = _take(folder, "storyboard.keyframe", shot.code, {"keyframe.png": picture}, {"shot": shot.code},
                         at=at, run=run)
        state.add_note(Note(take_id=keyframe.id, author="ana", text=f"shot {number}: hold the framing", created_at=at))
        if number % 5 == 0:  # every fifth shot was retaken once, and the retake approved
            again = folder.objects.put_bytes(_png(202, 360, number + 1000))
            retaken = _take(folder, "storyboard.keyframe", shot.code, {"keyframe.png": again},
                            {"shot": shot.code, "prompt": "a wider view"}, seed=1, at=at + timedelta(minutes=5),
                            run=run, prompt="a wider view")
            production.reject_take(folder, keyframe.id, "too tight", author="ana")
            production.approve_take(folder, retaken.id, author="ben")
        else:
            state.set_task(Task(task_type=TaskType.STORYBOARD, entity=shot.code, status=TaskStatus(name="wfa",
                                                                                                   is_feedback_request=True)))
        _take(folder, "animate.clip", shot.code, {}, {"shot": shot.code}, at=at, run=run)
        _take(folder, "edit.segment", shot.code, {"segment.mp4": segment}, {"shot": shot.code}, at=at, run=run)
        for step in ("layout.shot", "storyboard.keyframe", "animate.clip", "edit.segment"):
            events.append(StepEvent(run, step, shot.code, "ran", 0.5, None, 1, at))
        ledger.charge(Charge(provider="draft", model="draft-renderer", step="storyboard.keyframe", entity=shot.code,
                             quantity=1, unit="image", cost=0.0, currency="USD"))
        if number % 10 == 0:
            production.upload_reference(folder, "shot", shot.code, _png(640, 360, number), filename=f"{shot.code}.png",
                                        author="benchmark")
    for line in script.lines():
        events.append(StepEvent(run, "voice.line", line.id, "ran", 0.2, None, 1, at))
    state.record_events(events)
    state.finish_run(run, "succeeded", {"ran": len(events)})


@contextmanager
def serving(root: Path) -> Iterator[str]:
    """The studio in uvicorn on a free port of 127.0.0.1, in a thread of this process."""
    import uvicorn

    from mangaline.studio import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(root)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the studio did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.studio.close()


def timed(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    answer = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != 200:
        raise RuntimeError(f"GET {path} answered {answer.status_code}: {answer.text[:300]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="requests of each page (of each shot page)")
    parser.add_argument("--work", type=Path, help="where to make the project (default: a temporary folder)")
    parser.add_argument("--budget-ms", type=float, default=BUDGET_MS, help="the worst answer a page may take")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        root = make_project(work)
        folder = ProjectFolder.open(root)
        script = folder.load_script()
        folder.close()
        codes = [shot.code for shot in script.shots()]
        if len(codes) < SHOTS:
            raise SystemExit(f"the project has {len(codes)} shots, fewer than the {SHOTS} this benchmark is for")
        episode = script.episodes[0].id
        print(f"project: {len(codes)} shots, {len(script.lines())} lines, made in {time.perf_counter() - started:.1f} s")

        pages = {"static file (baseline)": ["/static/studio.css"], "overview": ["/"], "script": ["/script"],
                 "bible": ["/bible"], "storyboard": [f"/episodes/{episode}"], f"shot ({len(codes)} pages)":
                 [f"/shots/{code}" for code in codes], "playlist": [f"/episodes/{episode}/playlist"],
                 "player": [f"/episodes/{episode}/play"], "ledger": ["/ledger"], "progress": ["/progress"]}
        with serving(root) as url, httpx.Client(base_url=url, timeout=60) as client:
            for paths in pages.values():  # once each first: imports, templates compiled, the page cache warm
                timed(client, paths[0])
            times = {name: [timed(client, path) for _ in range(args.repeats) for path in paths]
                     for name, paths in pages.items()}

    baseline = statistics.median(times["static file (baseline)"])
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"{'page':24} {'requests':>8} {'median ms':>10} {'p95 ms':>7} {'worst ms':>9} {'x static':>9}  "
          f"worst within {args.budget_ms:g} ms")
    failed = []
    for name, samples in times.items():
        median, worst = statistics.median(samples), max(samples)
        p95 = sorted(samples)[max(0, round(len(samples) * 0.95) - 1)]
        verdict = "-" if name.startswith("static") else ("pass" if worst <= args.budget_ms else "FAIL")
        if verdict == "FAIL":
            failed.append(name)
        print(f"{name:24} {len(samples):8d} {median:10.1f} {p95:7.1f} {worst:9.1f} {median / baseline:8.1f}x  {verdict}")
    print("every page within budget" if not failed else f"over budget: {', '.join(failed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
