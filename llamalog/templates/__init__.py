"""Templates: masking, the template miner, and parsing-accuracy metrics."""

from .masking import mask
from .metrics import ParsingScores, evaluate_parsing
from .miner import TemplateMiner, add_templates

__all__ = ["ParsingScores", "TemplateMiner", "add_templates", "evaluate_parsing", "mask"]
