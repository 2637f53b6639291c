"""Reading Terraform files safely: through the guarded reader, binary detection, UTF-8 with the
line of the error.

Kept free of tree-sitter so the plan loader can use it without importing the grammar.
"""

from __future__ import annotations

import os

from iaclint.budget import LIMITS
from iaclint.fileaccess import ReadRefused, ScanRoots, read_bytes
from iaclint.resources import Diagnostic
from iaclint.source import SourceText


def read_source(path: str, diagnostics: list[Diagnostic], roots: ScanRoots | None) -> SourceText | None:
    """The decoded file, or None with a one-line diagnostic (refused by the reader: outside the
    roots, not a regular file, too large; binary; not UTF-8). `roots` None: a path the user gave."""
    try:
        data = read_bytes(path, roots=roots, limit=LIMITS.file_bytes)
    except ReadRefused as err:
        diagnostics.append(Diagnostic(path, 1, 1, err.reason))
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


def module_files(directory: str, roots: ScanRoots) -> list[str] | str:
    """The `.tf`/`.tf.json` files of a module directory (sorted), or why it cannot be listed. The
    directory must lie inside the roots (a link out of them is not followed); entries that are not
    directories are all listed, so a FIFO named `main.tf` is reported by the reader, not skipped."""
    why = roots.refusal(directory)
    if why is not None:
        return why
    try:
        with os.scandir(directory) as it:
            names = sorted(e.name for e in it if e.name.endswith((".tf", ".tf.json")) and not _is_dir(e))
    except OSError as err:
        return f"cannot read directory: {err.strerror or err}"
    return [os.path.join(directory, n) for n in names]


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False
