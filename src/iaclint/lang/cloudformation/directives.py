"""`iaclint:ignore` directives in templates: YAML comments and resource `Metadata`.

PyYAML drops comments, so they are found with libyaml's token stream: whatever lies between two
consecutive tokens is white space or comments, so text there that starts with `#` is a comment, and
the same words inside a scalar (a quoted string, a block scalar) are never mistaken for one. Files
without the marker cost one substring search, which is nearly every file.

Resource metadata works for YAML and JSON alike:

    Metadata:
      iaclint:
        ignore:
          - id: IAC101
            reason: the API is internal and behind a VPN
          - IAC102          # no reason: reported by iaclint.suppress

Each entry becomes a `Directive` for that resource's address, on the line of the entry.
"""

from __future__ import annotations

import yaml
from yaml._yaml import CParser

from iaclint.directives import DIRECTIVE, parse_comment
from iaclint.resources import Diagnostic, Directive
from iaclint.source import SourceText
from iaclint.values import Value


def comment_directives(source: SourceText) -> list[Directive]:
    """Directives in the YAML comments of `source`, each on the comment's line."""
    text = source.text
    if DIRECTIVE not in text:
        return []
    out: list[Directive] = []
    parser = CParser(text)
    try:
        prev_end = 0
        while True:
            try:
                token = parser.get_token()
            except yaml.YAMLError:
                break  # the template's syntax error is reported by the decoder; keep what came before
            if token is None:
                break
            start = token.start_mark.index
            if start > prev_end:
                _gap_comments(source, prev_end, start, out)
            prev_end = max(prev_end, token.end_mark.index)
            if isinstance(token, yaml.StreamEndToken):
                break
    finally:
        parser.dispose()
    return out


def _gap_comments(source: SourceText, start: int, end: int, out: list[Directive]) -> None:
    """Comments in text[start:end], which holds no token: only white space and comments."""
    text = source.text
    hash_at = text.find("#", start, end)
    while hash_at != -1:
        line_end = text.find("\n", hash_at, end)
        if line_end == -1:
            line_end = end
        parsed = parse_comment(text[hash_at + 1 : line_end].rstrip("\r"))
        if parsed is not None:
            rules, reason = parsed
            line = source.span_from_offsets(hash_at, hash_at).line
            out.append(Directive(source.path, line, rules, reason))
        hash_at = text.find("#", line_end, end)


def metadata_directives(
    path: str, address: str, decl: Value, diagnostics: list[Diagnostic]
) -> list[Directive]:
    """Directives from a resource's `Metadata.iaclint.ignore` (raw, unevaluated template values).

    An entry is `{id: IAC101, reason: ...}` or just `IAC101`; an entry that names no rule is
    reported as a partial diagnostic rather than guessed at.
    """
    ignore = decl.get("Metadata").get("iaclint").get("ignore")
    if ignore.is_absent:
        return []
    entries = ignore.data if ignore.is_known and isinstance(ignore.data, list) else [ignore]
    out: list[Directive] = []
    for entry in entries:
        span = entry.span or ignore.span or decl.span
        line, column = (span.line, span.column) if span is not None else (1, 1)
        rule: str | None
        reason = ""
        if entry.is_known and isinstance(entry.data, dict):
            rule = entry.get("id").as_str()
            reason = entry.get("reason").as_str() or ""
        else:
            rule = entry.as_str() if entry.is_known and isinstance(entry.data, str) else None
        if rule is None or not rule.strip():
            diagnostics.append(
                Diagnostic(
                    path,
                    line,
                    column,
                    "Metadata iaclint ignore entry needs a rule id (`- id: IAC101` and a `reason`): ignored",
                    partial=True,
                )
            )
            continue
        out.append(Directive(path, line, (rule.strip().upper(),), reason.strip(), address=address))
    return out
