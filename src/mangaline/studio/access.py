"""Who may talk to the studio: loopback callers, or anyone who carries the studio's token.

A studio listening beyond this machine refuses to start without a token; with one, every request must carry it,
as the ``X-Mangaline-Token`` header or the cookie a first visit to ``/?token=...`` sets. On loopback without a
token, requests must name a local host (no DNS rebinding) and a form may only be posted from the studio's own
pages (no cross-site posts from a page the reviewer happens to have open).
"""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import MangalineError

__all__ = ["COOKIE", "HEADER", "TokenGate", "check_listen", "is_loopback"]

HEADER = "x-mangaline-token"
COOKIE = "mangaline_token"
_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


def is_loopback(host: str) -> bool:
    """Whether an address to listen on reaches only this machine."""
    if host.strip("[]") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_listen(host: str, token: str | None) -> None:
    """Refuse to listen beyond this machine without a token (and a token too short to stand guessing)."""
    if token is not None and len(token) < 16:
        raise MangalineError("the studio's token is shorter than 16 characters",
                             hint="make one with: python -c 'import secrets; print(secrets.token_urlsafe(24))'")
    if not is_loopback(host) and not token:
        raise MangalineError(f"the studio would listen on {host}, beyond this machine, without a token",
                             hint="give --token (or MANGALINE_STUDIO_TOKEN), or listen on 127.0.0.1")


def _host_name(value: str) -> str:
    return (urlsplit(f"//{value}").hostname or "").lower()


class TokenGate:
    """ASGI middleware: the token rule above, before any route runs."""

    def __init__(self, app: ASGIApp, *, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refused = self._refused(request)
        if refused is not None:
            await refused(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _refused(self, request: Request) -> Response | None:
        if self.token is None:
            if _host_name(request.headers.get("host", "")) not in _LOCAL_NAMES:
                return PlainTextResponse("refused: this studio answers only to localhost", status_code=403)
        else:
            given = request.query_params.get("token")
            if given is not None and request.method == "GET" and self._matches(given):
                # the first visit's link: the token moves into a cookie and out of the address bar and history
                rest = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
                response = RedirectResponse(request.url.path + (f"?{rest}" if rest else ""), status_code=303)
                response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
                return response
            carried = request.headers.get(HEADER) or request.cookies.get(COOKIE) or ""
            if not self._matches(carried):
                return PlainTextResponse("refused: this studio needs its token (open the link `mangaline studio` printed)",
                                         status_code=401)
        if request.method not in ("GET", "HEAD"):
            origin = request.headers.get("origin")
            if origin is not None and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
                return PlainTextResponse("refused: a form posted from another site", status_code=403)
        return None

    def _matches(self, given: str) -> bool:
        assert self.token is not None
        return hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8"))
