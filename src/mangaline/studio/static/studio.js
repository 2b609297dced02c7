// The studio's little client code: live progress from the server's event stream, and the playlist.
"use strict";

function follow(options) {
  const live = document.getElementById("live");
  const status = document.getElementById("live-status");
  const counts = document.getElementById("counts");
  const after = live ? live.dataset.after : "";
  const source = new EventSource("/events" + (after ? "?after=" + after : ""));
  const tally = {};
  let touched = false;
  source.addEventListener("step", (message) => {
    const step = JSON.parse(message.data);
    tally[step.event] = (tally[step.event] || 0) + 1;
    if (counts) counts.textContent = Object.entries(tally).map(([k, v]) => k + " " + v).join(" · ");
    if (status) status.textContent = "building: " + (tally.ran || 0) + " ran, " + (tally.cached || 0) + " cached";
    const mine = !options.watch || step.entity === options.watch || step.entity.startsWith(options.watch + "|");
    if (!live || !mine) return;
    if (options.watch && step.event === "ran") touched = true;
    const item = document.createElement("li");
    item.className = step.event;
    item.textContent = step.step + " [" + step.entity + "] " + step.event + (step.error ? ": " + step.error : "");
    live.appendChild(item);
    live.scrollTop = live.scrollHeight;
  });
  source.addEventListener("run", (message) => {
    const run = JSON.parse(message.data);
    if (status) status.textContent = run.command + " " + run.status;
    if (live && !options.watch) {
      const item = document.createElement("li");
      item.textContent = run.command + " " + run.status;
      live.appendChild(item);
    }
    if (run.status !== "running" && options.reloadWhenDone && touched) {
      source.close();
      window.location.reload();
    }
  });
}

function playlist() {
  const video = document.getElementById("playlist-video");
  const items = Array.from(document.querySelectorAll("#playlist li[data-src]"));
  let at = 0;
  function play(index) {
    if (index >= items.length) return;
    items.forEach((item) => item.classList.remove("playing"));
    at = index;
    items[at].classList.add("playing");
    video.src = items[at].dataset.src;
    video.play().catch(() => {});
  }
  video.addEventListener("ended", () => play(at + 1));
  items.forEach((item, index) => item.addEventListener("dblclick", () => play(index)));
  if (items.length) { items[0].classList.add("playing"); video.src = items[0].dataset.src; }
  window.studioPlaylist = { play, get at() { return at; }, get length() { return items.length; } };
}

// the reviewer's name, kept in this browser and put into every form that asks who did it
(function () {
  const name = localStorage.getItem("mangaline-author") || "";
  document.querySelectorAll("input.author").forEach((input) => { if (!input.value) input.value = name || "studio"; });
})();
