"""The studio: one project's models as a step reaches them, in whatever process the step runs.

    Studio.open(resources)          the build lends every step a StudioAddress (plain data: the project
                                    folder, its settings and catalogue); each process opens it once
    studio.image / speech / video   one take from the model a Route names (studio.sound: a paid music bed or
                                    effect; the offline ones are the sound department's own):
                                      a free local model (the built-in draft) is called here and now,
                                      its files written in the step's work folder, nothing journaled;
                                      any other goes through the Runtime (journal, ledger, budget,
                                      retries, limits, downloads)

Departments never import a model's code: they hold a Route (the router's choice, carried in the
node's params so it is part of the cache key) and ask the studio for a take.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import AuthenticationError, ProviderError, ProviderTransient, ProviderUnavailable
from .catalogue import Catalogue, ModelEntry, load_catalogue
from .cluster import GatesAddress
from .protocols import (
    ImageModel,
    ImageRequest,
    LipSyncRequest,
    LocalVideoModel,
    SoundModel,
    SoundRequest,
    SpeechModel,
    SpeechRequest,
    TextModel,
    TextRequest,
    VideoModel,
    VideoRequest,
)
from .registry import load_provider
from .runtime import Delivery, PollPolicy, Runtime

__all__ = ["DRAFT", "RESULTS_DIR", "Route", "Studio", "StudioAddress", "warm_draft_voices"]

RESULTS_DIR = "results"
"""Downloaded provider results, under DIR/.mangaline/."""


@dataclass(frozen=True)
class Route:
    """Where one task goes: the model the router chose, its provider and tier, and why.

    ``params()`` is what a node's params hold (so the model is part of the cache key); the
    explanation and the expected cost change with prices and pass rates, so they stay out.
    """

    model: str
    provider: str
    tier: str
    expected_cost: float = 0.0
    explanation: str = ""

    def params(self) -> dict[str, str]:
        return {"model": self.model, "provider": self.provider, "tier": self.tier}

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> Route:
        """The route a node's params carry."""
        return cls(model=params["model"], provider=params["provider"], tier=params.get("tier", "draft"))


DRAFT = {
    "image": Route("draft-renderer", "draft", "draft"),
    "video": Route("motion-comic", "draft", "draft"),
    "speech": Route("draft-voices", "draft", "draft"),
}
"""The built-in draft model of each modality: what a paid task's step draws with when it falls back, and what
draws the compositions (draft keyframes, sheets, views of a set) every paid image is made from."""


def warm_draft_voices() -> None:
    """Load the draft voices before a worker's first line (``Step.warm`` of the steps that speak)."""
    model = load_provider("draft", modality="speech")
    warm = getattr(model, "warm", None)
    if warm is not None:
        warm()


@dataclass(frozen=True)
class StudioAddress:
    """What a step needs to reach its project's models from any process: plain, picklable data."""

    root: str
    settings: Settings
    catalogue: Catalogue


_open_lock = threading.Lock()
_opened: dict[tuple[str, str, str], Studio] = {}


class Studio:
    """One project's settings, catalogue, provider runtime and adapters, shared by the steps of one process."""

    def __init__(self, address: StudioAddress | None = None, gates: GatesAddress | None = None) -> None:
        self.address = address
        self.gates = gates
        self.settings = address.settings if address is not None else None
        self.catalogue = address.catalogue if address is not None else load_catalogue()
        self._lock = threading.Lock()
        self._runtime: Runtime | None = None
        self._adapters: dict[tuple[str, str, str], Any] = {}

    @classmethod
    def open(cls, resources: Mapping[str, Any]) -> Studio:
        """The studio of the build that lent ``resources`` (offline, draft models only, when it lent none)."""
        address: StudioAddress | None = resources.get("studio")
        gates: GatesAddress | None = resources.get("gates")  # a cluster's: limits held across its workers
        key = ("", "", "") if address is None else (
            address.root, address.settings.model_dump_json() + address.catalogue.model_dump_json(),
            gates.name if gates is not None else "")
        with _open_lock:
            studio = _opened.get(key)
            if studio is None:
                studio = _opened[key] = cls(address, gates)
            return studio

    # the models ---------------------------------------------------------------------------------

    def entry(self, model: str) -> ModelEntry:
        return self.catalogue.model(model)

    def local(self, route: Route) -> bool:
        """A free model that runs in this process: called directly, with nothing to journal or book."""
        return self.entry(route.model).free

    def adapter(self, route: Route, modality: str) -> Any:
        key = (route.provider, route.model, modality)
        with self._lock:
            adapter = self._adapters.get(key)
        if adapter is None:
            adapter = load_provider(route.provider, self.settings, model=route.model, modality=modality)
            with self._lock:
                self._adapters[key] = adapter
        return adapter

    @property
    def runtime(self) -> Runtime:
        """The runtime around paid calls, opened on first use: a draft build never touches the journal."""
        with self._lock:
            if self._runtime is None:
                if self.address is None:
                    raise ProviderError("studio", "a paid model was asked for outside a project build",
                                        hint="run `mangaline build DIR`; offline, only the draft models are reachable")
                from ..project.state import open_state

                root = Path(self.address.root)
                project = self.address.settings.project
                poll = self.address.settings.routing.poll_seconds
                self._runtime = Runtime(
                    open_state(root, self.address.settings), root / ".mangaline" / RESULTS_DIR,
                    catalogue=self.catalogue, currency=project.currency, budget=project.budget,
                    providers=dict(self.address.settings.providers),
                    poll=PollPolicy(first=poll, max_interval=max(30.0, poll)),
                    gates=self.gates.open() if self.gates is not None else None,
                )
            return self._runtime

    # one take -------------------------------------------------------------------------------------

    def image(
        self, route: Route, request: ImageRequest, workdir: Path, *, step: str = "", entity: str = "", shot_type: str = "any"
    ) -> Delivery:
        adapter: ImageModel = self.adapter(route, "image")
        if self.local(route):
            result = adapter.generate(request, Path(workdir))
            return self._local(route, {"image": Path(result.image), **result.files}, result.raw)
        return self.runtime.image(route.provider, route.model, adapter, request, step=step, entity=entity, shot_type=shot_type)

    def speech(
        self, route: Route, request: SpeechRequest, workdir: Path, *, step: str = "", entity: str = "", shot_type: str = "any"
    ) -> Delivery:
        adapter: SpeechModel = self.adapter(route, "speech")
        if self.local(route):
            result = adapter.speak(request, Path(workdir))
            return self._local(route, {"audio": Path(result.audio)}, result.raw)
        return self.runtime.speech(route.provider, route.model, adapter, request, step=step, entity=entity, shot_type=shot_type)

    def sound(
        self, route: Route, request: SoundRequest, *, step: str = "", entity: str = "", shot_type: str = "any"
    ) -> Delivery:
        """A music bed or a sound effect from a paid model (the catalogue entry's modality says which), through the
        runtime: journaled, booked, and a request asked before is answered from its saved audio."""
        adapter: SoundModel = self.adapter(route, self.entry(route.model).modality.value)
        return self.runtime.sound(route.provider, route.model, adapter, request, step=step, entity=entity,
                                  shot_type=shot_type)

    def video(
        self, route: Route, request: VideoRequest, workdir: Path, *, step: str = "", entity: str = "", shot_type: str = "any"
    ) -> Delivery:
        adapter = self.adapter(route, "video")
        if isinstance(adapter, LocalVideoModel):
            result = adapter.animate(request, Path(workdir))
            return self._local(route, dict(result.files), result.raw)
        remote: VideoModel = adapter
        return self.runtime.video(route.provider, route.model, remote, request, step=step, entity=entity, shot_type=shot_type)

    def lipsync(
        self, route: Route, request: LipSyncRequest, workdir: Path, *, step: str = "", entity: str = "", shot_type: str = "any"
    ) -> Delivery:
        """A made clip lip-synced to the shot's voices: a remote job like a clip (journaled, polled, paid once)."""
        adapter = self.adapter(route, "lipsync")
        return self.runtime.video(route.provider, route.model, adapter, request, step=step, entity=entity,
                                  shot_type=shot_type)

    def ask(
        self, route: Route, messages: list[dict[str, Any]], schema: dict[str, Any], *, step: str = "", entity: str = "",
        shot_type: str = "any",
    ) -> str:
        """A chat model's answer in ``schema`` (a QC judge looking at a take): booked, and a question asked before
        is answered from the journal."""
        adapter: TextModel = self.adapter(route, "text")
        request = TextRequest(messages=messages, json_schema=schema, temperature=0.0)
        delivery = self.runtime.text(route.provider, route.model, adapter, request, step=step, entity=entity,
                                     shot_type=shot_type)
        return delivery.text or ""

    def falls_back(self, error: Exception) -> bool:
        """Whether a paid model's failure for good (down, key refused, not reachable) may be made up by the draft model:
        only where the project asks for it with [project] fallback = "draft"."""
        failed_for_good = isinstance(error, AuthenticationError | ProviderUnavailable | ProviderTransient)
        return failed_for_good and self.settings is not None and self.settings.project.fallback == "draft"

    def _local(self, route: Route, files: dict[str, Path], raw: dict[str, Any]) -> Delivery:
        currency = self.settings.project.currency if self.settings is not None else "USD"
        return Delivery(route.provider, route.model, files, 0.0, currency, raw=dict(raw))
