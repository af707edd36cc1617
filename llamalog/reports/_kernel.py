"""The kernel manager reports run under: local IPC sockets where the OS has them."""

from __future__ import annotations

import sys

from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum


class IPCKernelManager(AsyncKernelManager):
    """Talks to the report's kernel over Unix sockets instead of localhost TCP ports:
    nothing else on the machine can connect to them (TCP on Windows, which lacks them)."""

    transport = CaselessStrEnum(
        ["tcp", "ipc"], default_value="tcp" if sys.platform == "win32" else "ipc", config=True
    )
