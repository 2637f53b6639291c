"""The text report keeps the lines of only the last few files: memory does not follow the repository."""

from __future__ import annotations

from pathlib import Path

from iaclint.fileaccess import ScanRoots
from iaclint.report.snippets import SourceLines


def test_only_the_last_files_stay_cached_and_an_evicted_file_is_read_again(tmp_path: Path) -> None:
    paths = []
    for i in range(SourceLines.KEEP + 3):
        path = tmp_path / f"f{i}.tf"
        path.write_text(f"first {i}\nsecond {i}\n", encoding="utf-8")
        paths.append(path)
    lines = SourceLines(ScanRoots.for_paths([str(tmp_path)]))
    for i, path in enumerate(paths):
        assert lines.line(path, 2) == f"second {i}"
    assert len(lines._files) == SourceLines.KEEP
    assert paths[0] not in lines._files and paths[-1] in lines._files
    assert lines.line(paths[0], 1) == "first 0"
    assert lines.line(paths[0], 4) is None
    assert len(lines._files) == SourceLines.KEEP


def test_lines_are_split_on_newlines_with_a_trailing_carriage_return_dropped(tmp_path: Path) -> None:
    crlf, plain = tmp_path / "crlf.tf", tmp_path / "plain.tf"
    crlf.write_bytes(b"one\r\ntwo\rthree\r\n\x0cfour\n")
    plain.write_bytes(b"one\ntwo\x0cthree\n")
    lines = SourceLines(ScanRoots.for_paths([str(tmp_path)]))
    assert [lines.line(crlf, n) for n in range(1, 5)] == ["one", "two\rthree", "\x0cfour", ""]
    assert [lines.line(plain, n) for n in range(1, 4)] == ["one", "two\x0cthree", ""]
