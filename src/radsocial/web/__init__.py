"""radsocial's web app: pages and a JSON API over a store (`radsocial serve`).

Needs the `web` extra (FastAPI, uvicorn, Jinja2, Plotly, argon2-cffi, itsdangerous).
`create_app(db, host=...)` builds the application; see docs/web.md.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(*args: Any, **kwargs: Any) -> Any:
    """Build the FastAPI app (imported lazily so `import radsocial.web` is cheap)."""
    from radsocial.web.app import create_app as _create

    return _create(*args, **kwargs)
