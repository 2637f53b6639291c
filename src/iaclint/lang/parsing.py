"""Tree-sitter parsing with a time budget.

The grammars' error recovery is quadratic on some junk (60 KB of `<a>` in a `.bicep` file took 8.5 s,
`x = ` repeated over 313 KB of HCL over two minutes), and the operation count tree-sitter reports
grows linearly on such input while each operation slows down, so only the clock tells. A parse is
given a deadline proportional to the file's size, far above what real files need (they parse at
several MB/s); past it the parse is cancelled and the file is reported as not read.
"""

from __future__ import annotations

import resource
import sys
import time
from typing import Any

from iaclint.budget import LIMITS, Limits

_MB = 1024 * 1024
_READ = 64 * 1024


class ParseTimeout(Exception):
    """A parse cancelled at its deadline; `reason` is one line for the file's diagnostic."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _peak_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


class ParseDeadline:
    """One file's parse allowance, shared by all the pieces the file is parsed in: a deadline, and
    a bound on what the parse may add to the process's peak memory (read through the deadline's
    callback, the Bicep grammar's error recovery grows by about 150 MB a second on junk)."""

    __slots__ = ("at", "over_memory", "peak", "seconds")

    def __init__(self, size: int, limits: Limits = LIMITS) -> None:
        self.seconds = limits.parse_seconds + limits.parse_seconds_per_mb * size / _MB
        self.at = time.monotonic() + self.seconds
        self.peak = _peak_bytes() + limits.parse_memory
        self.over_memory = False

    def _late(self, _offset: int, has_error: bool) -> bool:
        # Memory runs away only in error recovery; until the parse has met an error, the clock
        # alone is read (getrusage on every callback cost about 2% of a Terraform scan).
        if has_error and _peak_bytes() > self.peak:
            self.over_memory = True
            return True
        return time.monotonic() > self.at

    def parse(self, parser: Any, data: bytes, *, node_text: bool = True) -> Any:
        """`parser.parse(data)`, cancelled at the deadline (raises ParseTimeout). `node_text`
        False: the caller never reads `Node.text` (it slices the bytes itself), so the tree need
        not hold them (see below)."""

        def read(offset: int, _point: Any) -> bytes:
            return data[offset : offset + _READ]

        try:
            tree = parser.parse(read, progress_callback=self._late)
        except ValueError:
            # A cancelled parser would resume the old input on its next call.
            parser.reset()
            if self.over_memory:
                raise ParseTimeout(
                    "parsing gave up: the grammar's error recovery took too much memory on this input; "
                    "file not read"
                ) from None
            raise ParseTimeout(
                f"parsing gave up after {self.seconds:.0f} s (the grammar's error recovery is slow on "
                "this input); file not read"
            ) from None
        if not node_text or tree.root_node.has_error or not isinstance(data, bytes):
            return tree
        # A tree parsed from a callback reads `Node.text` back through it (2-3x slower for loaders
        # that read names and literals). Parsing the bytes again with this tree as the old one
        # reuses every node of an error-free tree, so it costs next to nothing and yields a tree
        # that holds the bytes. (Error nodes are not reused, so a tree with errors is kept.)
        return parser.parse(data, old_tree=tree)
