"""The grammar of inline suppressions, shared by every language's reader and by the suppression stage.

A directive is a comment body such as `iaclint:ignore IAC101,IAC102 -- reason`. Loaders find the
comments in their own syntax, strip the comment markers and hand the body to `parse_comment`; what a
directive then covers is decided later, by `iaclint.suppress`. The grammar lives here, in the source
layer, so that loaders do not depend on the findings stage.
"""

from __future__ import annotations

DIRECTIVE = "iaclint:ignore"


def parse_comment(text: str) -> tuple[tuple[str, ...], str] | None:
    """Rules and reason from a comment body like `iaclint:ignore IAC101,IAC102 -- reason`.

    The comment markers are already stripped by the loader; None when the comment is no directive.
    """
    body = text.strip()
    if not body.startswith(DIRECTIVE):
        return None
    rest = body[len(DIRECTIVE):]
    if rest and not rest[0].isspace():
        return None
    ids_part, sep, reason = rest.partition("--")
    rules = tuple(r.strip().upper() for r in ids_part.replace(",", " ").split() if r.strip())
    return rules, reason.strip() if sep else ""
