"""Reading Terraform files safely: size bound, binary detection, UTF-8 with the line of the error.

Kept free of tree-sitter so the plan loader can use it without importing the grammar.
"""

from __future__ import annotations

import os

from iaclint.resources import Diagnostic
from iaclint.source import SourceText

MAX_FILE_BYTES = 20 * 1024 * 1024


def read_source(path: str, diagnostics: list[Diagnostic]) -> SourceText | None:
    """The decoded file, or None with a diagnostic (unreadable, too large, binary, not UTF-8)."""
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            diagnostics.append(Diagnostic(path, 1, 1, f"file is larger than 20 MB ({size} bytes); not read"))
            return None
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        diagnostics.append(Diagnostic(path, 1, 1, f"cannot read file: {err.strerror or err}"))
        return None
    if len(data) > MAX_FILE_BYTES:
        diagnostics.append(Diagnostic(path, 1, 1, "file is larger than 20 MB; not read"))
        return None
    nul = data.find(b"\x00")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        diagnostics.append(Diagnostic(path, line, 1, "binary file (NUL byte); not a Terraform text file"))
        return None
    try:
        return SourceText.decode(path, data)
    except UnicodeDecodeError as err:
        offset = err.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line = data.count(b"\n", 0, offset) + 1
        col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        diagnostics.append(Diagnostic(path, line, col, "invalid UTF-8; Terraform files must be UTF-8"))
        return None
