"""The studio in a real headless Chromium: a reviewer's round trip on the example project, with screenshots."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from mangaline import production
from mangaline.project import ProjectFolder

from .conftest import Served

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not Path(CHROMIUM).is_file(),
    reason="no Chromium at /usr/bin/chromium (as root `make test` installs Debian's; else: sudo apt-get install chromium)")]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield launched
        launched.close()


def test_a_reviewer_rejects_a_take_asks_for_a_retake_watches_the_build_and_plays_the_episode(
        example: Path, browser, artefacts: Path) -> None:
    folder = ProjectFolder.open(example)
    script = folder.load_script()
    shot = next(s for s in script.shots() if s.dialogue)
    first_take = production.shot_review(folder, shot.code).tasks["keyframe"].active
    folder.close()
    line = shot.dialogue[0]

    with Served(example) as served:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(30_000)
        page.goto(f"{served.url}/")
        page.screenshot(path=artefacts / "overview.png", full_page=True)

        # the storyboard, then the shot
        page.goto(f"{served.url}/episodes/ep01")
        assert page.locator(".card").count() == len(script.episodes[0].shots())
        # the storyboard's pictures load lazily: bring the card into view and wait for its picture to decode
        keyframe = page.locator(f'.card[data-shot="{shot.code}"] img')
        keyframe.scroll_into_view_if_needed()
        assert keyframe.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
        page.screenshot(path=artefacts / "storyboard.png", full_page=True)
        page.click(f'.card[data-shot="{shot.code}"]')
        page.wait_for_url(f"**/shots/{shot.code}")
        assert page.locator("#shot").inner_text() == shot.code

        # upload a reference picture for the shot: it shows among the shot's references, with its name and size
        picture = io.BytesIO()
        Image.new("RGB", (480, 270), (40, 90, 160)).save(picture, "PNG")
        page.set_input_files("#references input[type=file]", files=[
            {"name": "lamp light.png", "mimeType": "image/png", "buffer": picture.getvalue()}])
        page.click("#references form.upload button[type=submit]")
        page.wait_for_url(f"**/shots/{shot.code}#references")
        uploaded = page.locator("#references figure.reference").first
        assert "lamp light.png" in uploaded.inner_text() and "480×270" in uploaded.inner_text()
        assert uploaded.locator("img").evaluate("img => img.decode().then(() => img.naturalWidth)") == 480

        # edit a line of dialogue
        page.fill(f'input[data-line="{line.id}"]', "Edited in the studio.")
        page.click(f'form[action="/lines/{line.id}"] button')
        page.wait_for_url(f"**/shots/{shot.code}")
        assert page.input_value(f'input[data-line="{line.id}"]') == "Edited in the studio."

        # reject the active keyframe take with a note
        active = page.locator(f'#takes-keyframe article[data-take="{first_take.id}"]')
        active.locator("textarea[name=text]").fill("her coat should be yellow, not grey")
        active.locator("button.reject").click()
        page.wait_for_url(f"**/shots/{shot.code}")
        rejected = page.locator(f'#takes-keyframe article[data-take="{first_take.id}"]')
        assert "rejected" in rejected.get_attribute("class")
        assert "her coat should be yellow" in rejected.locator(".notes").inner_text()

        # ask for a retake with an edited prompt, and build from the studio, watching it live
        page.fill("#retake-keyframe textarea[name=prompt]", "the same shot, her yellow raincoat in the lamp light")
        page.click("#retake-keyframe button[type=submit]")
        page.wait_for_url(f"**/shots/{shot.code}")
        assert "waiting for the next build" in page.locator("#takes-keyframe .direction").inner_text()
        page.screenshot(path=artefacts / "shot-retake-asked.png", full_page=True)
        page.click("#build")
        page.wait_for_url(f"**/shots/{shot.code}")
        page.wait_for_selector(f'#live li.ran:has-text("storyboard.keyframe [{shot.code}]")', timeout=300_000)
        page.screenshot(path=artefacts / "progress-live.png", full_page=True)
        # when the run ends the page reloads itself with the new take active
        new_take = page.wait_for_selector('#takes-keyframe article.take.active[data-seed="1"]', timeout=300_000)
        new_id = new_take.get_attribute("data-take")
        assert new_id != first_take.id
        assert "her yellow raincoat" in new_take.inner_text()

        # approve the new take
        page.locator(f'#takes-keyframe article[data-take="{new_id}"] button.approve').click()
        page.wait_for_url(f"**/shots/{shot.code}")
        assert "validated" in page.locator(f'#takes-keyframe article[data-take="{new_id}"]').get_attribute("class")
        page.screenshot(path=artefacts / "shot.png", full_page=True)

        # play the episode, with its subtitles
        page.goto(f"{served.url}/episodes/ep01/play")
        page.wait_for_function("document.getElementById('episode').readyState >= 2", timeout=60_000)
        page.evaluate("document.getElementById('episode').muted = true; document.getElementById('episode').play()")
        page.wait_for_function("document.getElementById('episode').currentTime > 1.0", timeout=60_000)
        cues = page.evaluate("(() => { const t = document.getElementById('episode').textTracks[0];"
                             " t.mode = 'showing'; return t.cues ? Array.from(t.cues).map(c => c.text) : []; })()")
        if not cues:
            page.wait_for_function("document.getElementById('episode').textTracks[0].cues.length > 0", timeout=10_000)
            cues = page.evaluate("Array.from(document.getElementById('episode').textTracks[0].cues).map(c => c.text)")
        assert any("Edited in the studio." in cue for cue in cues)
        page.screenshot(path=artefacts / "player.png")

        for name, path in (("script", "/script"), ("bible", "/bible"), ("ledger", "/ledger"),
                           ("playlist", "/episodes/ep01/playlist"), ("progress", "/progress")):
            page.goto(f"{served.url}{path}")
            page.screenshot(path=artefacts / f"{name}.png", full_page=True)
        page.goto(f"{served.url}/episodes/ep01/playlist")
        page.wait_for_function("document.getElementById('playlist-video').readyState >= 1", timeout=30_000)

        # last, as it re-lays every shot the character is in: approve a character's turnaround on the bible page
        character = next(iter(script_characters(example)))
        page.goto(f"{served.url}/bible")
        page.click(f"#character-{character} button.approve")
        page.wait_for_url(f"**/bible#character-{character}")
        assert page.locator(f"#character-{character} .approval").inner_text() == "approved"
        page.screenshot(path=artefacts / "bible-approved.png", full_page=True)
        page.close()

    folder = ProjectFolder.open(example)
    try:
        said = next(l for l in folder.load_script().lines() if l.id == line.id).text
        review = production.shot_review(folder, shot.code).tasks["keyframe"]
    finally:
        folder.close()
    assert said == "Edited in the studio."
    assert review.active is not None and review.active.id == new_id and review.active.validation.value == "validated"


def script_characters(root: Path) -> list[str]:
    folder = ProjectFolder.open(root)
    try:
        return list(folder.load_bible().characters)
    finally:
        folder.close()
