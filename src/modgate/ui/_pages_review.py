"""Review queues and appeals (filled in on the review library)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()

__all__ = ["router"]
