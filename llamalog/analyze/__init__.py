"""Analyses of parsed frames: each takes a frame from ``read_logs`` and returns a new one."""

from .summary import summary

__all__ = ["summary"]
