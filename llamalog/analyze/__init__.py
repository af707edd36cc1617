"""Analyses of parsed frames: each takes a frame from ``read_logs`` and returns a new one."""

from .compare import compare
from .frequency import frequency
from .patterns import cooccurrence, new_templates, parameter_profile, rare_templates, transitions
from .summary import summary
from .timeseries import bursts, change_points, rate

__all__ = [
    "bursts",
    "change_points",
    "compare",
    "cooccurrence",
    "frequency",
    "new_templates",
    "parameter_profile",
    "rare_templates",
    "rate",
    "summary",
    "transitions",
]
