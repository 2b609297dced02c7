"""Steps the cluster tests send to Ray workers (a worker imports them by module and name)."""

from __future__ import annotations

import threading
from collections.abc import Collection
from pathlib import Path

from mangaline.engine import Step, StepContext, StepOutput
from mangaline.errors import ProviderError
from mangaline.project.state import StateDB
from mangaline.providers.protocols import VideoRequest
from mangaline.providers.runtime import PollPolicy, Runtime
from tests.providers.fake_video import REQUEST, FakeVideoModel, fake_catalogue

class FindableVideoModel(FakeVideoModel):
    """The fake adapter sending the seed too, and finding a task it made (a provider's task list, as Ark's), so a
    worker killed between the provider's reply and the journal's record is resumed, not submitted again."""

    def _body(self, request: VideoRequest) -> dict:
        return {"prompt": request.prompt, "duration": request.duration, "width": request.width,
                "height": request.height, "seed": request.seed}

    def submit(self, request: VideoRequest) -> str:
        return str(self._check(self.client.post(f"{self.base_url}/jobs", json=self._body(request)))["id"])

    def find(self, request: VideoRequest, since: float, exclude: Collection[str]) -> str | None:
        wanted = self._body(request)
        listed = self._check(self.client.get(f"{self.base_url}/jobs"))["jobs"]
        found = [job["id"] for job in listed if job["created"] >= since - 5 and job["id"] not in exclude
                 and all(job.get(key) == value for key, value in wanted.items())]
        if len(found) > 1:
            raise ProviderError(self.provider, f"tasks {', '.join(found)} all match one request")
        return found[0] if found else None


_runtimes: dict[str, Runtime] = {}
_lock = threading.Lock()


def _runtime(ctx: StepContext) -> Runtime:
    """One runtime per worker process, as the studio keeps one; its limits are the cluster's."""
    key = ctx.params["state"] + ctx.resources["gates"].name
    with _lock:
        if key not in _runtimes:
            catalogue = fake_catalogue({"id": "fake-clip", "price": 0.1, "limits": {"concurrency": ctx.params["limit"]}})
            _runtimes[key] = Runtime(StateDB(ctx.params["state"]), Path(ctx.params["results"]), catalogue=catalogue,
                                     gates=ctx.resources["gates"].open(), poll=PollPolicy(first=0.05, max_interval=0.1))
        return _runtimes[key]


def paid_clip(ctx: StepContext) -> StepOutput:
    """A clip from the fake provider through the project's runtime: journaled, limited, booked once."""
    request = REQUEST.__class__(**{**REQUEST.__dict__, "seed": ctx.params["seed"]})
    made = _runtime(ctx).video("fake", "fake-clip", FindableVideoModel(ctx.params["url"]), request, step=ctx.step,
                               entity=ctx.entity)
    return StepOutput(components={"clip": made.files["video"]}, provider="fake", model="fake-clip", cost=made.cost)


PAID_CLIP = Step("test.paid_clip", "1", paid_clip, kind="io", retries=0)
