"""The studio over HTTP: its pages, its actions through the production API, its token rule, live progress."""

from __future__ import annotations

import io
import json
import struct
import threading
import time
import zlib
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from PIL import Image

from mangaline import production
from mangaline.project import ProjectFolder
from mangaline.project.approval import approved_take
from mangaline.studio import create_app
from mangaline.studio.access import check_listen
from mangaline.errors import MangalineError

from ..conftest import copy_project, mangaline
from .conftest import Served

TOKEN = "a-token-of-twenty-four-ch"


def _client(root: Path, token: str | None = None, host: str = "127.0.0.1") -> TestClient:
    return TestClient(create_app(root, token=token), base_url=f"http://{host}:8765", follow_redirects=False)


def _shot_with_lines(root: Path, skip: int = 0):
    folder = ProjectFolder.open(root)
    try:
        return [shot for shot in folder.load_script().shots() if shot.dialogue][skip]
    finally:
        folder.close()


def test_every_page_answers_with_what_the_project_holds(example: Path) -> None:
    client = _client(example)
    folder = ProjectFolder.open(example)
    script = folder.load_script()
    folder.close()
    first = script.shots()[0]
    pages = {"/": script.title, "/episodes/ep01": first.code, f"/shots/{first.code}": "Keyframe takes",
             "/episodes/ep01/play": "subtitles.vtt", "/episodes/ep01/playlist": f"/media/ep01/shots/{first.code}.mp4",
             "/ledger": "Spent 0.0000", "/progress": "Recent runs", "/script": script.lines()[0].text,
             "/bible": "floor plan of"}
    for path, expected in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert expected in response.text, path
    assert client.get("/shots/ep09_sc01_sh010").status_code == 404
    assert client.get("/episodes/ep09").status_code == 404


def test_the_episode_and_its_subtitles_are_served_for_the_player(example: Path) -> None:
    client = _client(example)
    vtt = client.get("/episodes/ep01/subtitles.vtt")
    assert vtt.status_code == 200 and vtt.text.startswith("WEBVTT")
    first_line = _shot_with_lines(example).dialogue[0].text
    assert first_line.split()[0] in vtt.text
    video = client.get("/media/ep01.mp4")
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4" and video.content[4:8] == b"ftyp"
    assert client.get("/objects/" + "0" * 64 + "/x.png").status_code == 404
    assert client.get("/objects/../../mangaline.toml/x").status_code == 404


def test_notes_posted_by_two_browsers_at_once_are_both_kept(example: Path) -> None:
    shot = _shot_with_lines(example, skip=1)
    folder = ProjectFolder.open(example)
    take = production.shot_review(folder, shot.code).tasks["keyframe"].active
    folder.close()
    clients = [_client(example), _client(example)]

    def post(client: TestClient, who: str) -> None:
        for i in range(5):
            answer = client.post(f"/takes/{take.id}/notes", data={"text": f"{who} {i}", "author": who,
                                                                  "back": f"/shots/{shot.code}"})
            assert answer.status_code == 303

    threads = [threading.Thread(target=post, args=(client, who)) for client, who in zip(clients, ("ana", "ben"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    page = clients[0].get(f"/shots/{shot.code}").text
    for who in ("ana", "ben"):
        for i in range(5):
            assert f"{who} {i}" in page
    # and the CLI sees the very notes the studio wrote, and the studio the CLI's
    mangaline("note", example, take.id, "from the terminal", "--author", "cli-user")
    assert "from the terminal" in clients[0].get(f"/shots/{shot.code}").text


def test_a_retake_asked_in_the_studio_is_what_the_cli_reports(example: Path) -> None:
    shot = _shot_with_lines(example, skip=2)
    client = _client(example)
    answer = client.post(f"/shots/{shot.code}/retake", data={"kind": "keyframe", "prompt": "a wider view", "author": "ana"})
    assert answer.status_code == 303
    status = json.loads(mangaline("status", example, "--json").stdout)
    keyframe = next(n for n in status["nodes"] if n["step"] == "storyboard.keyframe" and n["entity"] == shot.code)
    assert keyframe["state"] in ("STALE", "MISSING") and "seed changed 0 -> 1" in keyframe["cause"]
    assert "waiting for the next build" in client.get(f"/shots/{shot.code}").text
    refused = client.post(f"/shots/{shot.code}/retake", data={"kind": "keyframe", "model": "gpt-image-1"})
    assert refused.status_code == 409 and "not configured" in refused.text


def test_a_line_edited_from_a_stale_page_is_refused(example: Path) -> None:
    shot = _shot_with_lines(example, skip=3)
    line = shot.dialogue[0]
    client = _client(example)
    stale = client.post(f"/lines/{line.id}", data={"text": "Changed.", "expected": "what the page showed long ago"})
    assert stale.status_code == 409 and "changed meanwhile" in stale.text
    assert client.post(f"/lines/{line.id}", data={"text": "Changed.", "expected": line.text}).status_code == 303
    folder = ProjectFolder.open(example)
    assert next(l for l in folder.load_script().lines() if l.id == line.id).text == "Changed."
    folder.close()


def test_without_its_token_a_studio_refuses_every_request(example: Path) -> None:
    client = _client(example, token=TOKEN, host="192.168.1.20")
    assert client.get("/").status_code == 401
    assert client.get("/episodes/ep01/subtitles.vtt").status_code == 401
    assert client.get("/", headers={"X-Mangaline-Token": "a-token-of-twenty-four-cX"}).status_code == 401
    assert client.get("/", headers={"X-Mangaline-Token": TOKEN}).status_code == 200
    first = client.get(f"/episodes/ep01?token={TOKEN}")
    assert first.status_code == 303 and first.headers["location"] == "/episodes/ep01"
    assert client.get("/episodes/ep01").status_code == 200  # the cookie the first visit set
    with pytest.raises(MangalineError, match="without a token"):
        check_listen("0.0.0.0", None)
    with pytest.raises(MangalineError, match="shorter than 16"):
        check_listen("0.0.0.0", "short")
    check_listen("127.0.0.1", None)
    refused = mangaline("studio", example, "--host", "0.0.0.0", check=False)
    assert refused.returncode == 2 and "without a token" in refused.stderr


def test_a_studio_on_localhost_answers_only_to_local_names_and_its_own_forms(example: Path) -> None:
    assert _client(example, host="evil.example").get("/").status_code == 403
    client = _client(example)
    take = "0" * 32
    posted = client.post(f"/takes/{take}/notes", data={"text": "hi"}, headers={"Origin": "http://evil.example"})
    assert posted.status_code == 403


def test_live_progress_shows_the_step_events_of_a_command_run_in_a_terminal(example: Path) -> None:
    with Served(example) as served:
        after = ProjectFolder.open(example)
        start = after.state.last_event()
        after.close()
        seen: list[dict] = []

        def listen() -> None:
            with httpx.stream("GET", f"{served.url}/events?after={start}", timeout=60) as stream:
                kind = None
                for line in stream.iter_lines():
                    if line.startswith("event: "):
                        kind = line.removeprefix("event: ")
                    elif line.startswith("data: ") and kind == "step":
                        seen.append(json.loads(line.removeprefix("data: ")))
                    if len(seen) >= 3:
                        return

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        time.sleep(0.5)
        mangaline("export", example, "--layout")  # a run of the layout steps, from the command line
        listener.join(timeout=60)
    assert len(seen) >= 3
    assert all(event["step"] == "layout.shot" for event in seen[:3])


# uploaded references and approvals from the bible page ---------------------------------------------------------


def _picture(width: int, height: int, kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 40, 60)).save(out, kind)
    return out.getvalue()


def _bomb(side: int = 60_000) -> bytes:
    """A PNG of a few hundred bytes whose header claims side × side pixels (a 3.6-gigapixel grey field)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")


def _references(root: Path, target: str, entity: str) -> list:
    folder = ProjectFolder.open(root)
    try:
        return production.reference_takes(folder, target, entity).get(entity, [])
    finally:
        folder.close()


def test_a_reference_uploaded_on_the_shot_page_is_kept_as_a_take_with_who_sent_it(example: Path) -> None:
    code = _shot_with_lines(example, skip=4).code
    client = _client(example)
    # the browser's claimed type is not what decides: a JPEG sent as "image/png" is stored as the JPEG it is
    sent = client.post(f"/shots/{code}/references", data={"author": "ana"},
                       files={"file": ("harbour at dusk.jpg", _picture(640, 360, "JPEG"), "image/png")})
    assert sent.status_code == 303 and sent.headers["location"] == f"/shots/{code}#references"
    [take] = _references(example, "shot", code)
    assert take.step == "reference.shot" and take.provenance.provider == "upload"
    assert (take.data["filename"], take.data["width"], take.data["height"], take.data["format"],
            take.data["uploaded_by"]) == ("harbour at dusk.jpg", 640, 360, "jpeg", "ana")
    page = client.get(f"/shots/{code}").text
    assert "harbour at dusk.jpg" in page and "640×360" in page and "uploaded by ana" in page
    blob = client.get(f"/objects/{take.components['reference.jpg']}/reference.jpg")
    assert blob.status_code == 200 and blob.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(blob.content)).size == (640, 360)
    # a character's reference, through the API, is what later steps find as the character's reference
    character = next(iter(ProjectFolder.open(example).load_bible().characters))
    api = client.post(f"/characters/{character}/references", headers={"Accept": "application/json"},
                      files={"file": ("sheet.webp", _picture(512, 768, "WEBP"), "application/octet-stream")})
    assert api.status_code == 201 and api.json()["width"] == 512 and api.json()["format"] == "webp"
    folder = ProjectFolder.open(example)
    try:
        reference = production.character_reference(folder, character)
    finally:
        folder.close()
    assert reference is not None and Image.open(reference).size == (512, 768)
    assert "sheet.webp" in client.get("/bible").text
    # the draft sheet is drawn from the bible's words alone: at the draft tier an upload leaves the build as it was
    status = json.loads(mangaline("status", example, "--json").stdout)
    # (the shared example may hold other tests' edits: the sheets are what an upload could touch)
    sheets = [n for n in status["nodes"] if n["step"] == "design.character_sheet"]
    assert sheets and all(n["state"] == "FRESH" for n in sheets), sheets
    assert not any(n["step"].startswith("reference.") for n in status["nodes"])


@pytest.mark.parametrize("name, body, status, said, todo", [
    ("notes.png", b"INT. HARBOUR - NIGHT\nnot a picture at all\n" * 20, 415, "is not a PNG, JPEG or WebP image",
     "export it as"),
    ("thumb.png", _picture(120, 300), 422, "at least 256 px", "upload a larger picture"),
    ("poster.png", b"\0" * (production.REFERENCE_MAX_BYTES + 1), 413, "larger than 20 MB", "save it smaller"),
    ("bomb.png", _bomb(), 422, "more pixels than any reference may have", "upload a real picture"),
], ids=["text-named-png", "too-small", "over-the-size-limit", "decompression-bomb"])
def test_an_upload_that_is_no_fit_reference_is_refused_naming_the_file_and_what_to_do(
        example: Path, name: str, body: bytes, status: int, said: str, todo: str) -> None:
    code = _shot_with_lines(example, skip=5).code
    client = _client(example)
    before = len(_references(example, "shot", code))
    page = client.post(f"/shots/{code}/references", files={"file": (name, body, "image/png")})
    assert page.status_code == status
    assert "upload-error" in page.text and name in page.text and said in page.text and todo.capitalize() in page.text
    assert 'id="shot"' in page.text  # the shot page again, its form and takes as they were
    api = client.post(f"/shots/{code}/references", files={"file": (name, body, "image/png")},
                      headers={"Accept": "application/json"})
    assert api.status_code == status
    assert api.json()["file"] == name and said in api.json()["error"] and api.json()["hint"].startswith(todo)
    assert len(_references(example, "shot", code)) == before


def test_a_character_approved_on_the_bible_page_is_approved_for_the_cli_too(example: Path, tmp_path: Path) -> None:
    root = tmp_path / "approving"
    copy_project(example, root)  # approving re-lays every shot it appears in: the shared example stays as built
    folder = ProjectFolder.open(root)
    character = next(iter(folder.load_bible().characters))
    folder.close()
    client = _client(root)
    assert "not approved" in client.get("/bible").text
    approved = client.post(f"/characters/{character}/approve", data={"back": f"/bible#character-{character}"})
    assert approved.status_code == 303
    folder = ProjectFolder.open(root)
    try:
        chosen = folder.load_bible().characters[character]
        lock = approved_take(folder.state, chosen)
    finally:
        folder.close()
    assert chosen.approved and lock is not None
    bible = client.get("/bible").text
    assert f"Design locked on take <code>{lock.id[:12]}</code>" in bible
    # a locked design takes no new reference: the form gives way to why, and the API says what to do
    article = bible.split(f'id="character-{character}"', 1)[1].split("</article>", 1)[0]
    assert "Take back the approval to give" in article and 'class="upload"' not in article
    refused = client.post(f"/characters/{character}/references", headers={"Accept": "application/json"},
                          files={"file": ("face.png", _picture(300, 400), "image/png")})
    assert refused.status_code == 409 and "is approved" in refused.json()["error"]
    assert "--unapprove" in refused.json()["hint"]
    # and the CLI's unapproval shows in the studio at once
    mangaline("approve", root, "--character", character, "--unapprove")
    article = client.get("/bible").text.split(f'id="character-{character}"', 1)[1].split("</article>", 1)[0]
    assert "not approved" in article and f"Approve {chosen.name}" in article and 'class="upload"' in article


def test_a_line_edited_outside_the_studio_shows_on_its_next_page(example: Path) -> None:
    line = _shot_with_lines(example, skip=6).dialogue[0]
    client = _client(example)
    assert client.get("/script").status_code == 200  # read, and kept parsed
    folder = ProjectFolder.open(example)  # as a terminal would: another folder, another process's view
    try:
        production.edit_line(folder, line.id, "Said otherwise, from a terminal.", expected=line.text)
        assert "Said otherwise, from a terminal." in client.get("/script").text
        production.edit_line(folder, line.id, line.text)  # as it was, so the build finds it unchanged
    finally:
        folder.close()
    assert "Said otherwise, from a terminal." not in client.get("/script").text
