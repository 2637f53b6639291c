import json
from pathlib import Path

import pytest

from iaclint.directives import parse_comment
from iaclint.findings import Finding, Level
from iaclint.resources import Directive, Resource
from iaclint.source import Span
from iaclint.suppress import (
    BaselineError,
    apply_baseline,
    apply_directives,
    read_baseline,
    write_baseline,
)
from iaclint.values import Value

RULES_RUN = {"IAC101", "IAC102", "IAC002"}


def finding(line: int, rule: str = "IAC101", address: str = "aws_x.a", path: str = "m.tf") -> Finding:
    return Finding(rule, Level.ERROR, "msg", Span(path, line, 3, line, 9), address=address,
                   attribute="security_policy")


def resource(line: int, address: str = "aws_x.a") -> Resource:
    return Resource("aws_x", address, "terraform", Value.known({}), Span("m.tf", line, 1, line, 20))


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("iaclint:ignore IAC101 -- legacy clients", (("IAC101",), "legacy clients")),
        ("iaclint:ignore iac101, IAC102 --  two  ", (("IAC101", "IAC102"), "two")),
        ("iaclint:ignore IAC101", (("IAC101",), "")),
        ("iaclint:ignore -- everything here", ((), "everything here")),
        ("iaclint:ignored IAC101", None),
        ("just a comment", None),
    ],
)
def test_parse_comment(text: str, parsed: tuple | None) -> None:
    assert parse_comment(text) == parsed


def test_same_line_line_above_and_resource_header() -> None:
    directives = [
        Directive("m.tf", 8, ("IAC101",), "trailing comment"),     # on the finding's line
        Directive("m.tf", 19, ("IAC101",), "line above"),           # above the finding
        Directive("m.tf", 29, ("IAC101",), "above the resource"),   # above the header of aws_x.c
    ]
    findings = [finding(8), finding(20, address="aws_x.b"), finding(33, address="aws_x.c"),
                finding(40, address="aws_x.d")]
    out = apply_directives(findings, directives, [resource(30, "aws_x.c")], RULES_RUN)
    reasons = [(f.span.line, f.suppression.justification if f.suppression else None) for f in out]
    assert reasons == [(8, "trailing comment"), (20, "line above"), (33, "above the resource"), (40, None)]
    assert all(f.rule_id != "IAC002" for f in out)


def test_other_rule_not_suppressed_and_stale_or_reasonless_reported() -> None:
    directives = [Directive("m.tf", 8, ("IAC102",), "wrong rule"), Directive("m.tf", 50, ("IAC101",), "")]
    out = apply_directives([finding(8), finding(51)], directives, [], RULES_RUN)
    assert out[0].suppression is None
    # Without a reason the directive suppresses nothing: the finding stays, and IAC002 says why.
    assert out[1].suppression is None
    meta = [(f.span.line, f.level.value, f.message) for f in out if f.rule_id == "IAC002"]
    assert meta == [
        (8, "note", "suppression of IAC102 matches no finding; remove it"),
        (50, "warning",
         "suppression of IAC101 gives no reason, so it suppresses nothing; add one after `--`"),
    ]
    # A directive for a rule that did not run is not stale.
    quiet = apply_directives([], [Directive("m.tf", 8, ("IAC831",), "r")], [], RULES_RUN)
    assert quiet == []


def test_metadata_directive_covers_resource() -> None:
    d = Directive("t.yaml", 4, ("IAC101",), "cfn metadata", address="aws_x.a")
    out = apply_directives([finding(90)], [d], [], RULES_RUN)
    assert out[0].suppression is not None and out[0].suppression.kind == "inSource"


def test_baseline_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    old = [finding(8), finding(20, address="aws_x.gone")]
    assert write_baseline(old, path) == 2
    prints = read_baseline(path)
    # The same finding moved down 5 lines still matches: fingerprints ignore line numbers.
    now = [finding(13), finding(30, address="aws_x.new")]
    out, gone = apply_baseline(now, prints, "baseline.json")
    assert [f.suppression is not None for f in out] == [True, False]
    assert out[0].suppression.kind == "external"
    assert gone == 1


def test_bad_baseline(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"version": 99, "findings": []}))
    with pytest.raises(BaselineError, match="not a version 2 iaclint baseline"):
        read_baseline(path)
    path.write_text("{")
    with pytest.raises(BaselineError, match="not a baseline file"):
        read_baseline(path)


def test_unknown_rule_reported_whatever_ran_and_names_accepted() -> None:
    directives = [
        Directive("m.tf", 8, ("IAC1O1",), "typo"),               # no such rule, whatever ran
        Directive("m.tf", 19, ("TLS-MINIMUM-VERSION",), "name"),  # a rule name, as --select takes it
        Directive("m.tf", 29, ("TLS-VERSION",), "category"),      # a category
    ]
    out = apply_directives([finding(8), finding(20), finding(30)], directives, [], {"IAC002"})
    assert [f.suppression is not None for f in out[:3]] == [False, True, True]
    meta = [(f.span.line, f.level.value, f.message) for f in out if f.rule_id == "IAC002"]
    assert meta == [(8, "warning", "suppression names IAC1O1, which is no rule; did you mean IAC101?")]


def test_iac002_caret_points_at_the_comment(tmp_path: Path) -> None:
    main = tmp_path / "m.tf"
    main.write_text('x = 1\nsecurity_policy = "TLS_1_0" # iaclint:ignore IAC101\n', encoding="utf-8")
    d = Directive(str(main), 2, ("IAC101",), "")
    (meta,) = [f for f in apply_directives([], [d], [], RULES_RUN) if f.rule_id == "IAC002"]
    line = main.read_text().splitlines()[1]
    assert (meta.span.line, meta.span.column) == (2, line.index("# iaclint:ignore") + 1)
    assert meta.span.end_column == len(line) + 1


def test_no_directive_marks_nothing_and_reads_no_resource() -> None:
    # Most parts have no directive: their findings come back as they are, nothing resolved.
    from iaclint.suppress import mark_directives

    findings = [finding(8), finding(20, address="aws_x.b")]

    def resolve(path: str) -> str:
        raise AssertionError(f"resolved {path}")

    class Unread:
        def __iter__(self):
            raise AssertionError("resources read")

    out, uses = mark_directives(findings, iter(()), Unread(), resolve)  # type: ignore[arg-type]
    assert out == findings and out is not findings
    assert all(a is b for a, b in zip(out, findings, strict=True))
    assert uses == []
