"""The studio: a local review web app over a project folder, through the same production API as the CLI.

    mangaline studio DIR [--host 127.0.0.1] [--port 8765] [--token T]

Pages: the overview, the script beside its source, the bible, an episode's storyboard grid, the shot page
(takes side by side, notes, approve, reject, retake), the playlist, the episode player, the ledger, and live
progress of any build of the project. It listens on loopback; anything wider needs a token (access.py).
"""

from __future__ import annotations

from .access import is_loopback
from .app import create_app, serve

__all__ = ["create_app", "is_loopback", "serve"]
