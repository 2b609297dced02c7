"""Black Forest Labs FLUX images (Kontext, FLUX.2): submit, poll the short job, download, all within generate.

BFL's API is asynchronous but its jobs take seconds and its result URLs live ten minutes, so
``generate`` polls with a bounded deadline and downloads the sample at once, instead of
handing a job id to the runtime. Polling uses the ``polling_url`` the submission returns.
"""

from __future__ import annotations

import base64
import math
import time
from pathlib import Path
from typing import Any

import httpx

from ..errors import (
    ModerationRejected,
    ProviderError,
    ProviderResponseError,
    ProviderTransient,
)
from .exchange import HttpProvider, construct, image_suffix, read_key, write_result
from .protocols import ImageRequest, ImageResult, Usage

__all__ = ["FluxImages", "factory"]

DEFAULT_BASE_URL = "https://api.bfl.ai"

_MODERATED = {"Content Moderated", "Request Moderated"}


def _max_references(model: str) -> int:
    if model.startswith("flux-kontext"):
        return 1
    return 4 if "klein" in model else 8


def _site(url: httpx.URL) -> str:
    host = url.host
    return host if host.replace(".", "").isdigit() or host == "localhost" else ".".join(host.split(".")[-2:])


class FluxImages(HttpProvider):
    """An ImageModel over ``POST /v1/<model>`` and its polling URL."""

    def __init__(
        self,
        provider_id: str,
        base_url: str,
        api_key_env: str,
        *,
        model: str,
        timeout: float = 60,
        transport: httpx.BaseTransport | None = None,
        poll_interval: float = 1.0,
        deadline: float = 300.0,
        output_format: str = "png",
        safety_tolerance: int | None = None,
    ) -> None:
        super().__init__(
            provider_id, base_url, api_key_env, model=model, timeout=timeout, transport=transport, refusal=None
        )
        self.poll_interval = poll_interval
        self.deadline = deadline
        self.output_format = output_format
        self.safety_tolerance = safety_tolerance
        self._base = httpx.URL(base_url)

    def request_body(self, request: ImageRequest) -> dict[str, Any]:
        """The JSON body submitted for ``request``."""
        limit = _max_references(self.model)
        if len(request.references) > limit:
            raise ProviderError(
                self.provider_id, f"{self.model} takes at most {limit} input image(s), got {len(request.references)}"
            )
        body: dict[str, Any] = {"prompt": request.prompt, "seed": request.seed, "output_format": self.output_format}
        if self.model.startswith("flux-kontext"):
            divisor = math.gcd(request.width, request.height) or 1
            body["aspect_ratio"] = f"{request.width // divisor}:{request.height // divisor}"
        else:
            body["width"], body["height"] = request.width, request.height
        if self.safety_tolerance is not None:
            body["safety_tolerance"] = self.safety_tolerance
        for index, path in enumerate(request.references, start=1):
            name = "input_image" if index == 1 else f"input_image_{index}"
            body[name] = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        return body

    def generate(self, request: ImageRequest, workdir: Path) -> ImageResult:
        body = self.request_body(request)
        key = read_key(self.provider_id, self.api_key_env)
        headers = {"x-key": key, "accept": "application/json"}
        response = self._endpoint.send("POST", f"v1/{self.model}", headers=headers, json=body, secrets=(key,))
        submitted = self._endpoint.json(response, secrets=(key,))
        job_id = submitted.get("id")
        polling_url = submitted.get("polling_url") or (f"v1/get_result?id={job_id}" if job_id else None)
        if not job_id or not polling_url:
            raise ProviderResponseError(
                self.provider_id, "submission answered without id or polling_url", raw=str(submitted)[:2000]
            )
        result = self._wait(str(job_id), polling_url, key)
        sample = (result.get("result") or {}).get("sample")
        if not isinstance(sample, str) or not sample:
            raise ProviderResponseError(
                self.provider_id, f"job {job_id} is Ready without result.sample", raw=str(result)[:2000]
            )
        image = self._endpoint.fetch(sample)
        path = write_result(workdir, self.provider_id, image_suffix(image), image)
        if submitted.get("cost") is not None:
            figures = {k: submitted[k] for k in ("cost", "input_mp", "output_mp") if k in submitted}
            usage = Usage(quantity=float(submitted["cost"]), unit="credits", raw=figures)
        else:
            usage = Usage(quantity=1, unit="images")
        return ImageResult(image=path, usage=usage, raw={"submission": submitted, "result": result})

    def _wait(self, job_id: str, polling_url: str, key: str) -> dict[str, Any]:
        # The key goes only to BFL's own hosts (api.us1.bfl.ai and the like), never to a third party.
        target = self._base.join(polling_url)
        headers = {"accept": "application/json"}
        if _site(target) == _site(self._base):
            headers["x-key"] = key
        give_up = time.monotonic() + self.deadline
        while True:
            response = self._endpoint.send("GET", str(target), headers=headers, secrets=(key,))
            reply = self._endpoint.json(response, secrets=(key,))
            status = reply.get("status")
            if status == "Ready":
                return reply
            if status in _MODERATED:
                details = reply.get("details") or reply.get("result") or ""
                raise ModerationRejected(
                    self.provider_id, f"job {job_id}: {status} {details}".rstrip(), raw=str(reply)[:2000]
                )
            if status in ("Error", "Failed"):
                raise ProviderError(
                    self.provider_id,
                    f"job {job_id} failed: {reply.get('details') or reply.get('result') or status}",
                    raw=str(reply)[:2000],
                )
            if status == "Task not found":
                raise ProviderError(
                    self.provider_id,
                    f"job {job_id} is not known to BFL (expired or another region)",
                    raw=str(reply)[:2000],
                )
            if status != "Pending":
                raise ProviderResponseError(
                    self.provider_id, f"job {job_id} has an undocumented status {status!r}", raw=str(reply)[:2000]
                )
            if time.monotonic() >= give_up:
                raise ProviderTransient(self.provider_id, f"job {job_id} was still Pending after {self.deadline:g} s")
            time.sleep(self.poll_interval)


def factory(settings: dict[str, Any]) -> FluxImages:
    """Build the FLUX adapter from a settings table (keys: the constructor's argument names)."""
    return construct(FluxImages, settings, provider_id="bfl", base_url=DEFAULT_BASE_URL, api_key_env="BFL_API_KEY")
