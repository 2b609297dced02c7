"""The studio's pages and actions: every read is of the project folder and its state, every change goes through
the production API (the one the CLI calls), so the studio and the CLI never disagree."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import (FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response,
                               StreamingResponse)
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from .. import production
from ..errors import MangalineError
from ..model import Script, Take
from ..project import ProjectFolder
from ..project.approval import SHEET_STEP, approved_take
from .access import TokenGate, check_listen, is_loopback
from .reading import StudioFolder
from .subtitles import webvtt

__all__ = ["create_app", "serve"]

HERE = Path(__file__).parent
_SHA = re.compile(r"[0-9a-f]{64}")
_MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".webp": "image/webp", ".mp4": "video/mp4",
                ".wav": "audio/wav", ".json": "application/json"}
_UNREAD_BEYOND = 4
"""A body more than this many times the file limit is refused unread (and so without the file's name); one closer
to the limit is read as far as the limit, so the refusal can name the file."""
POLL_SECONDS = 0.4
"""How often live progress looks for new step events in the state database."""


class Studio:
    """What the app holds for its lifetime: the open project, and the build it started, if any."""

    def __init__(self, root: Path) -> None:
        self.folder: ProjectFolder = StudioFolder.open(root)
        self.build: subprocess.Popen | None = None
        self.build_log: Path | None = None

    def building(self) -> bool:
        return self.build is not None and self.build.poll() is None

    def start_build(self) -> None:
        """`mangaline build DIR` in a process of its own: the same command, lock and record as from a terminal."""
        if self.building():
            return
        logs = self.folder.state_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        self.build_log = logs / f"studio-build-{datetime.now():%Y%m%d-%H%M%S}.log"
        with open(self.build_log, "w") as log:
            self.build = subprocess.Popen(
                [sys.executable, "-m", "mangaline.cli", "build", str(self.folder.root), "--no-progress"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )

    def close(self) -> None:
        self.folder.close()


def create_app(root: Path, *, token: str | None = None) -> FastAPI:
    """The studio over the project at ``root``; with ``token`` every request must carry it."""
    studio = Studio(Path(root))
    app = FastAPI(title="mangaline studio", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.studio = studio
    app.add_middleware(TokenGate, token=token)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    pages = Jinja2Templates(directory=HERE / "templates")
    pages.env.globals["title_of"] = lambda: _safe_title(studio.folder)
    pages.env.globals["reference_url"] = _reference_url
    pages.env.globals["limits"] = {"bytes": production.REFERENCE_MAX_BYTES // 2**20, "min_side": production.REFERENCE_MIN_SIDE,
                                   "max_side": production.REFERENCE_MAX_SIDE}
    folder = studio.folder

    def page(request: Request, name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        return pages.TemplateResponse(request, name, {"author": request.cookies.get("mangaline_author", ""), **context},
                                      status_code=status)

    @app.exception_handler(MangalineError)
    async def said(request: Request, error: MangalineError) -> Response:
        text = str(error).splitlines()[0] + (f"; {error.hint}" if error.hint else "")
        status = 404 if text.startswith(("no take", "no shot", "no line", "no episode")) else 409
        return page(request, "error.html", message=text, status=status)

    # pages ------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> Response:
        return page(request, "overview.html", **_overview(studio))

    @app.get("/episodes/{episode}", response_class=HTMLResponse)
    def storyboard(request: Request, episode: str) -> Response:
        script = folder.load_script()
        chosen = _episode(script, episode)
        keyframes = production.active_takes(folder, "keyframe")
        tasks = {t.entity: t for t in folder.state.tasks()
                 if t.task_type.value == "storyboard"}
        return page(request, "storyboard.html", episode=chosen, keyframes=keyframes, tasks=tasks,
                    picture=_picture)

    def shot_context(code: str) -> dict[str, Any]:
        review = production.shot_review(folder, code)
        return {"review": review, "picture": _picture, "models": _models(folder), "building": studio.building(),
                "after": folder.state.last_event(),
                "references": production.reference_takes(folder, "shot", code).get(code, [])}

    @app.get("/shots/{code}", response_class=HTMLResponse)
    def shot(request: Request, code: str) -> Response:
        return page(request, "shot.html", **shot_context(code))

    @app.get("/episodes/{episode}/play", response_class=HTMLResponse)
    def player(request: Request, episode: str) -> Response:
        chosen = _episode(folder.load_script(), episode)
        video = folder.renders_dir / f"{chosen.id}.mp4"
        return page(request, "player.html", episode=chosen, published=video.is_file(),
                    language=folder.settings.project.language)

    @app.get("/episodes/{episode}/playlist", response_class=HTMLResponse)
    def playlist(request: Request, episode: str) -> Response:
        chosen = _episode(folder.load_script(), episode)
        shots = [s for scene in chosen.scenes for s in scene.shots]
        published = {s.code for s in shots if (folder.renders_dir / chosen.id / "shots" / f"{s.code}.mp4").is_file()}
        return page(request, "playlist.html", episode=chosen, shots=shots, published=published)

    @app.get("/ledger", response_class=HTMLResponse)
    def ledger(request: Request) -> Response:
        return page(request, "ledger.html", **_ledger(folder))

    @app.get("/progress", response_class=HTMLResponse)
    def progress(request: Request) -> Response:
        runs = folder.state.runs()[-10:]
        return page(request, "progress.html", runs=list(reversed(runs)), building=studio.building(),
                    after=folder.state.last_event())

    @app.get("/script", response_class=HTMLResponse)
    def script_page(request: Request) -> Response:
        script = folder.load_script()
        return page(request, "script.html", script=script, sources=_sources(folder))

    @app.get("/bible", response_class=HTMLResponse)
    def bible_page(request: Request) -> Response:
        return page(request, "bible.html", **_bible(folder))

    # files ------------------------------------------------------------------

    @app.get("/objects/{sha}/{name}")
    def blob(sha: str, name: str) -> Response:
        if not _SHA.fullmatch(sha):
            raise HTTPException(404)
        path = folder.objects.path(sha)
        if not path.is_file():
            raise HTTPException(404)
        media = _MEDIA_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")
        return FileResponse(path, media_type=media, headers={"Cache-Control": "private, max-age=31536000, immutable"})

    @app.get("/media/{episode}.mp4")
    def episode_video(episode: str) -> Response:
        chosen = _episode(folder.load_script(), episode)
        return _file(folder, folder.renders_dir / f"{chosen.id}.mp4", "video/mp4")

    @app.get("/media/{episode}/shots/{code}.mp4")
    def shot_video(episode: str, code: str) -> Response:
        chosen = _episode(folder.load_script(), episode)
        if code not in {s.code for scene in chosen.scenes for s in scene.shots}:
            raise HTTPException(404)
        return _file(folder, folder.renders_dir / chosen.id / "shots" / f"{code}.mp4", "video/mp4")

    @app.get("/episodes/{episode}/subtitles.vtt")
    def subtitles(episode: str) -> Response:
        chosen = _episode(folder.load_script(), episode)
        text = webvtt(folder.exports_dir, chosen.id)
        if text is None:
            raise HTTPException(404, "this episode has no subtitles yet: build it")
        return PlainTextResponse(text, media_type="text/vtt; charset=utf-8")

    # actions: each through the production API, then back to the page ----------------------------

    @app.post("/takes/{take_id}/notes")
    def note(request: Request, take_id: str, text: str = Form(...), author: str = Form("studio"),
             back: str = Form("/")) -> Response:
        production.add_note(folder, take_id, text, author=author or "studio")
        return _back(back, author)

    @app.post("/takes/{take_id}/reject")
    def reject(take_id: str, text: str = Form(...), author: str = Form("studio"), back: str = Form("/")) -> Response:
        production.reject_take(folder, take_id, text, author=author or "studio")
        return _back(back, author)

    @app.post("/takes/{take_id}/approve")
    def approve(take_id: str, author: str = Form("studio"), back: str = Form("/")) -> Response:
        production.approve_take(folder, take_id, author=author or "studio")
        return _back(back, author)

    @app.post("/takes/{take_id}/choose")
    def choose(take_id: str, author: str = Form("studio"), back: str = Form("/")) -> Response:
        production.choose_take(folder, take_id, author=author or "studio")
        return _back(back, author)

    @app.post("/shots/{code}/retake")
    def retake(code: str, kind: str = Form("keyframe"), prompt: str = Form(""), model: str = Form(""),
               text: str = Form(""), author: str = Form("studio")) -> Response:
        production.retake(folder, folder.settings, code, kind=kind, prompt=prompt or None, model=model or None,
                          note=text or None, author=author or "studio")
        return _back(f"/shots/{code}", author)

    @app.post("/lines/{line_id}")
    def edit_line(line_id: str, text: str = Form(...), expected: str = Form(...), back: str = Form("/script")) -> Response:
        production.edit_line(folder, line_id, text, expected=expected)
        return _back(back, None)

    @app.post("/characters/{character}/approve")
    def approve_character(character: str, unapprove: str = Form(""), back: str = Form("/bible")) -> Response:
        """What `mangaline approve DIR --character C [--unapprove]` does, under the same build lock."""
        from ..engine import build_lock

        command = f"approve {folder.root} --character {character}" + (" --unapprove" if unapprove else "")
        with build_lock(folder.state_dir, command), folder.state.exclusive():
            production.approve(folder, folder.settings, character, unapprove=bool(unapprove), command=command)
        return _back(back, None)

    # uploaded references: checked by content, kept as takes; a form gets its page back, an API caller JSON

    async def upload(request: Request, target: str, entity: str, back: str,
                     again: Callable[[], tuple[str, dict[str, Any]]]) -> Response:
        wants_json = _wants_json(request)
        try:
            take = await _receive_reference(request, folder, target, entity)
        except production.ReferenceRefused as refused:
            said = {"error": str(refused).splitlines()[0], "file": refused.filename, "hint": refused.hint}
            if wants_json:
                return JSONResponse(said, status_code=refused.status)
            name, context = await run_in_threadpool(again)
            return page(request, name, status=refused.status, refused={"target": f"{target}:{entity}", **said},
                        **context)
        except MangalineError as error:
            if not wants_json:
                raise  # the error page, as for every other action
            text = str(error).splitlines()[0]
            return JSONResponse({"error": text, "hint": error.hint}, status_code=404 if text.startswith("no ") else 409)
        if wants_json:
            return JSONResponse({"take": take.id, "step": take.step, "entity": take.entity, **take.data,
                                 "url": _reference_url(take)}, status_code=201)
        return _back(back, request.cookies.get("mangaline_author"))

    @app.post("/characters/{character}/references")
    async def character_reference(request: Request, character: str) -> Response:
        return await upload(request, "character", character, f"/bible#character-{character}",
                            lambda: ("bible.html", _bible(folder)))

    @app.post("/sets/{location}/references")
    async def set_reference(request: Request, location: str) -> Response:
        return await upload(request, "set", location, f"/bible#set-{location}", lambda: ("bible.html", _bible(folder)))

    @app.post("/shots/{code}/references")
    async def shot_reference(request: Request, code: str) -> Response:
        return await upload(request, "shot", code, f"/shots/{code}#references",
                            lambda: ("shot.html", shot_context(code)))

    @app.post("/build")
    def build(back: str = Form("/progress")) -> Response:
        studio.start_build()
        return _back(back, None)

    # live progress ------------------------------------------------------------------------------

    @app.get("/events")
    async def events(request: Request, after: int | None = None) -> StreamingResponse:
        start = after if after is not None else int(request.headers.get("last-event-id") or 0)
        return StreamingResponse(_follow(request, folder, start), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    return app


def serve(root: Path, *, host: str = "127.0.0.1", port: int = 8765, token: str | None = None,
          say: Callable[[str], None] = print) -> None:
    """Run the studio until Ctrl-C; refuses to listen beyond this machine without a token."""
    import uvicorn

    check_listen(host, token)
    app = create_app(root, token=token)
    shown = f"[{host}]" if ":" in host else host
    say(f"studio of {root}: http://{shown}:{port}/" + ("?token=<your token>" if token else "")
        + ("" if is_loopback(host) else "  (open to the network: every request needs the token)"))
    # uvicorn's access log would print every address, queries and all; the studio logs nothing of its callers
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        app.state.studio.close()


# ------------------------------------------------------------------------------------------ helpers


def _safe_title(folder: ProjectFolder) -> str:
    try:
        return folder.settings.project.name
    except MangalineError:
        return folder.root.name


def _back(where: str, author: str | None) -> Response:
    # only a path of this studio: never an address elsewhere
    target = where if where.startswith("/") and not where.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if author:
        response.set_cookie("mangaline_author", author[:128], samesite="strict")
    return response


def _file(folder: ProjectFolder, path: Path, media: str) -> Response:
    resolved = folder.inside(path)
    if not resolved.is_file():
        raise HTTPException(404, "not built yet")
    return FileResponse(resolved, media_type=media, headers={"Cache-Control": "no-cache"})


def _episode(script: Script, episode: str):
    for chosen in script.episodes:
        if chosen.id == episode:
            return chosen
    raise HTTPException(404, f"no episode {episode}")


def _wants_json(request: Request) -> bool:
    """An API caller (Accept: application/json, and not a browser asking for HTML)."""
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


async def _receive_reference(request: Request, folder: ProjectFolder, target: str, entity: str) -> Take:
    """The reference image of a multipart form's ``file`` field, stored through the production API."""
    limit = production.REFERENCE_MAX_BYTES
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit * _UNREAD_BEYOND:
        # refused before a byte of it is read or spooled to disk
        raise production.ReferenceRefused(
            "the uploaded file", f"is about {int(declared) / 2**20:.1f} MB; a reference may be at most {limit // 2**20} MB",
            status=413, hint="save it smaller (as JPEG or WebP) and upload it again")
    form = await request.form(max_files=1, max_fields=8)
    try:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise production.ReferenceRefused("the form", "holds no file", status=422,
                                              hint="choose a PNG, JPEG or WebP image to upload")
        name = upload.filename or "the uploaded file"
        data = await upload.read(limit + 1)
        author = str(form.get("author") or request.cookies.get("mangaline_author") or "studio")
        return await run_in_threadpool(production.upload_reference, folder, target, entity, data, filename=name,
                                       author=author)
    finally:
        await form.close()


def _reference_url(take: Take) -> str:
    name, sha = next(iter(take.components.items()))
    return f"/objects/{sha}/{name}"


def _bible(folder: ProjectFolder) -> dict[str, Any]:
    """The bible page: each character with its turnaround, its approval and its uploaded references; each set."""
    bible = folder.load_bible()
    sheets: dict[str, Take] = {}
    for take in folder.state.takes(SHEET_STEP):
        sheets[take.entity] = take  # oldest first: the newest stays
    locks = {cid: approved_take(folder.state, character) for cid, character in bible.characters.items()
             if character.approved}
    return {"bible": bible, "sheets": sheets, "locks": locks, "plan": _floor_plan,
            "references": {"character": production.reference_takes(folder, "character"),
                           "set": production.reference_takes(folder, "set")}}


def _picture(take: Take | None) -> str | None:
    """The address of a keyframe take's picture."""
    if take is None:
        return None
    sha = take.components.get("keyframe.png")
    return f"/objects/{sha}/keyframe.png" if sha else None


def _models(folder: ProjectFolder) -> dict[str, list[str]]:
    """The models a retake may name, by task: the draft's and those of the configured providers."""
    from ..providers.catalogue import project_catalogue
    from ..providers.work import available_providers

    try:
        settings = folder.settings
        catalogue = project_catalogue(folder.root)
    except MangalineError:
        return {"keyframe": [], "clip": []}
    usable = {"draft", *available_providers(settings)}
    return {kind: [m.id for m in catalogue.of(modality) if m.provider in usable]
            for kind, modality in (("keyframe", "image"), ("clip", "video"))}


def _overview(studio: Studio) -> dict[str, Any]:
    from ..providers.catalogue import project_catalogue
    from ..providers.ledger import Ledger

    folder = studio.folder
    settings = folder.settings
    script = folder.load_script()
    keyframes = production.active_takes(folder, "keyframe")
    segments = {t.entity for t in folder.state.takes("edit.segment")}
    episodes = []
    for episode in script.episodes:
        codes = [s.code for scene in episode.scenes for s in scene.shots]
        episodes.append({
            "episode": episode, "shots": len(codes),
            "drawn": sum(code in keyframes for code in codes), "cut": sum(code in segments for code in codes),
            "published": (folder.renders_dir / f"{episode.id}.mp4").is_file(),
        })
    attention = []
    for task in folder.state.tasks():
        if task.status.is_retake:
            attention.append({"shot": task.entity, "why": f"{task.task_type.value}: retake asked"})
        elif task.last_error:
            attention.append({"shot": task.entity, "why": task.last_error})
    for take in keyframes.values():
        if take.data.get("fallback"):
            attention.append({"shot": take.entity, "why": f"keyframe made by the draft model: {take.data['fallback']}"})
    for take in production.active_takes(folder, "clip").values():
        if take.data.get("flagged") or take.data.get("fallback"):
            attention.append({"shot": take.entity, "why": f"clip: {take.data.get('flagged') or take.data.get('fallback')}"})
    runs = folder.state.runs()
    last = runs[-1] if runs else None
    if last is not None and last.status == "failed":
        for event in folder.state.events(last.id, event="failed")[:20]:
            attention.append({"shot": event.entity, "why": f"{event.step} failed: {(event.error or '').splitlines()[0][:200]}"})
    currency = settings.project.currency
    spent = Ledger(folder.state).total(currency, catalogue=project_catalogue(folder.root))
    return {"script": script, "episodes": episodes, "attention": attention, "last_run": last, "spent": spent,
            "budget": settings.project.budget, "currency": currency, "tier": settings.project.tier,
            "building": studio.building()}


def _ledger(folder: ProjectFolder) -> dict[str, Any]:
    from ..providers.catalogue import project_catalogue
    from ..providers.ledger import Ledger

    settings = folder.settings
    currency = settings.project.currency
    catalogue = project_catalogue(folder.root)
    entries = Ledger(folder.state).entries()
    by_step: Counter[str] = Counter()
    by_model: Counter[str] = Counter()
    rows = []
    for entry in entries:
        charge = entry.charge
        cost = catalogue.convert(charge.cost, charge.currency, currency)
        by_step[charge.step or "-"] += cost
        by_model[charge.model] += cost
        rows.append({"at": entry.at, "charge": charge, "cost": cost})
    spent = sum(by_step.values())
    return {"rows": list(reversed(rows))[:500], "by_step": by_step.most_common(), "by_model": by_model.most_common(),
            "spent": spent, "budget": settings.project.budget, "currency": currency}


def _sources(folder: ProjectFolder) -> dict[str, list[str]]:
    """The story files as the user gave them, line by line (the script page shows them beside the breakdown)."""
    found = {}
    for path in sorted(folder.story_dir.glob("*")):
        if path.is_file() and path.suffix.lower() in (".fountain", ".txt", ".md", ".spmd") and path.stat().st_size < 2_000_000:
            found[path.name] = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return found


def _floor_plan(location: Any) -> dict[str, Any]:
    """A set seen from above, for an SVG: the room, its elements, marks and camera spots, in metres (y up is north)."""
    design = location.set
    return {"width": design.width, "depth": design.depth, "elements": design.elements, "marks": design.marks,
            "cameras": design.cameras, "lights": design.lights}


async def _follow(request: Request, folder: ProjectFolder, after: int) -> AsyncIterator[bytes]:
    """Server-sent events: every step event any build of the project records after ``after``, and each run's state
    as it changes; read from the state database, so a build started in a terminal shows too."""
    last = after
    runs: dict[str, str] | None = None  # each run's status as last said; None until the first look
    yield b"retry: 1000\n\n"
    while not await request.is_disconnected():
        events = await run_in_threadpool(folder.state.events_after, last)
        for number, event in events:
            last = number
            body = {"run": event.run_id, "step": event.step, "entity": event.entity, "event": event.event,
                    "seconds": round(event.seconds, 3), "error": (event.error or "").splitlines()[0][:300] if event.error else None}
            yield f"id: {number}\nevent: step\ndata: {json.dumps(body, ensure_ascii=False)}\n\n".encode()
        records = (await run_in_threadpool(folder.state.runs))[-20:]
        first = runs is None
        runs = runs or {}
        for record in records:
            if runs.get(record.id) == record.status:
                continue
            runs[record.id] = record.status
            # at the first look only the runs going on are news; after it, every new run and every change is
            if not first or record.status == "running":
                body = {"run": record.id, "status": record.status, "command": record.command.split(" ", 1)[0],
                        "counts": {k: v for k, v in record.counts.items() if k != "per_step"}}
                yield f"event: run\ndata: {json.dumps(body)}\n\n".encode()
        await asyncio.sleep(POLL_SECONDS)
