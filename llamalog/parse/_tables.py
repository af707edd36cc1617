"""The README's generated tables: the format library, level vocabularies and zones.

``python -m llamalog.parse._tables README.md`` rewrites each table between its
``<!-- name:start -->`` and ``<!-- name:end -->`` markers; ``tests/test_formats.py``
checks that the README holds what this would write.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .levels import vocabulary_table
from .presets import format_table
from .timestamps import zone_table


def tables() -> dict[str, str]:
    """Marker name -> the Markdown that goes between its markers."""
    return {"formats": format_table(), "levels": vocabulary_table(), "zones": zone_table()}


def rewrite(text: str) -> str:
    """``text`` with every generated table replaced by what the code says now."""
    for name, table in tables().items():
        pattern = rf"(<!-- {name}:start -->\n).*?(\n<!-- {name}:end -->)"
        text = re.sub(pattern, lambda m, t=table: m.group(1) + t + m.group(2), text, flags=re.S)
    return text


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(rewrite(path.read_text(encoding="utf-8")), encoding="utf-8")
