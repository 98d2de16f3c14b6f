"""radsocial: an open-source observatory of social media in radiology and medical imaging."""

from __future__ import annotations

__version__ = "0.1.0"

from radsocial.models import Account, Media, Post, RawRecord

__all__ = ["Account", "Media", "Post", "RawRecord", "__version__"]
