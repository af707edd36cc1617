"""Training-loop pieces shared by the neural detectors: early stopping, the epoch bar."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["EarlyStopping", "epochs"]


class EarlyStopping:
    """Track the monitored loss, remember the best state, say when to stop.

    >>> stop = EarlyStopping(patience=2)
    >>> [stop.update(loss, lambda loss=loss: loss) for loss in (3.0, 2.0, 2.5, 2.2)]
    [False, False, False, True]
    >>> stop.best, stop.best_state
    (2.0, 2.0)
    """

    def __init__(self, patience: int) -> None:
        self.patience = patience
        self.best = math.inf
        self.best_state: Any = None
        self.bad = 0

    def update(self, loss: float, snapshot: Callable[[], Any]) -> bool:
        """Record ``loss``; keep ``snapshot()`` when it is the best yet; ``True`` = stop."""
        if self.best_state is None or loss < self.best:
            self.best, self.bad = loss, 0
            self.best_state = snapshot()
        else:
            self.bad += 1
        return self.bad >= self.patience


def epochs(n: int, progress: bool, desc: str) -> Iterable[int]:
    """``range(n)``, shown as a tqdm bar named ``desc`` when ``progress``."""
    if progress:
        from tqdm.auto import tqdm

        return tqdm(range(n), desc=desc, unit="epoch")
    return range(n)
