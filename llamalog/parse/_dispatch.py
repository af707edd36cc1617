"""Compile a kernel twice, serial and parallel, and pick by input size.

Starting worker threads costs more than it gains on small inputs, and far more on a
busy machine, so arrays shorter than ``min_size`` run the serial build. The serial
build is a copy of the function under another name, so numba's on-disk cache keeps
the two apart.
"""

from __future__ import annotations

import types

from numba import njit


def dual(size_arg: int = 0, min_size: int = 50_000):
    """Decorator: ``kernel(*args)`` runs in parallel when ``len(args[size_arg]) >= min_size``."""

    def wrap(fn):
        twin = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + "_serial")
        twin.__qualname__ = fn.__qualname__ + "_serial"
        twin.__module__ = fn.__module__
        twin.__doc__ = fn.__doc__
        par = njit(cache=True, nogil=True, parallel=True)(fn)
        ser = njit(cache=True, nogil=True)(twin)

        def call(*args):
            if args[size_arg].shape[0] >= min_size:
                return par(*args)
            return ser(*args)

        call.__name__ = fn.__name__
        call.__doc__ = fn.__doc__
        call.parallel = par
        call.serial = ser
        call.py_func = fn
        return call

    return wrap
