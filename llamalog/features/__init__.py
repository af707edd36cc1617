"""Features from parsed logs: windows of events as count matrices and sequences."""

from __future__ import annotations

from .windows import UNSEEN, Windows, WindowSpecError, windows

__all__ = ["UNSEEN", "WindowSpecError", "Windows", "windows"]
