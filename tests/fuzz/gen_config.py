"""Grammar-aware configuration and baseline input, run through the command line (which is what reads
them): `.iaclint.toml` and `pyproject.toml` with every known key given values of every TOML type
(tables where lists belong, deep arrays and inline tables, huge integers, dates, odd strings, keys
that are not tables, var-files naming special or outside paths), found automatically above the scan
or given with `--config`; and baseline files of every JSON shape given with `--baseline`. A usage
error is a correct answer here, but it must be one line with exit 2, never a traceback or an
internal error."""

from __future__ import annotations

import json
from typing import Any

from fuzz_atoms import numbers, read_paths, short_text
from fuzzkit import Case
from hypothesis import strategies as st

KEYS = [
    "select",
    "ignore",
    "exclude",
    "severity-threshold",
    "severity",
    "parameters",
    "unknown",
    "per-path-ignores",
    "var-files",
    "no-such-key",
]
RULES = ["IAC101", "IAC102", "IAC601", "IAC001", "IAC999", "tls", "waf", ""]
VIOLATION = (
    'resource "aws_api_gateway_domain_name" "d" {\n  domain_name = "d.example.com"\n'
    '  security_policy = "TLS_1_0"\n}\n'
)


def _toml_string(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


@st.composite
def toml_value(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.integers(0, 9 if depth < 3 else 5))
    if kind == 0:
        levels = ["error", "warning", "note", "ignore"]
        return _toml_string(draw(st.one_of(short_text, st.sampled_from(RULES), st.sampled_from(levels))))
    if kind == 1:
        return draw(numbers)
    if kind == 2:
        return draw(
            st.sampled_from(
                ["true", "false", "1979-05-27T07:32:00Z", "07:32:00", "inf", "nan", "0x1F", "1_000"]
            )
        )
    if kind == 3:
        return _toml_string(draw(read_paths).replace("\x00", ""))
    if kind == 4:
        return (
            "[" + ", ".join(_toml_string(r) for r in draw(st.lists(st.sampled_from(RULES), max_size=3))) + "]"
        )
    if kind == 5:
        return draw(
            st.sampled_from(["[" * 200 + "]" * 200, "[" * 3000 + "]" * 3000, "{a = " * 300 + "1" + "}" * 300])
        )
    if kind == 6:
        return "[" + ", ".join(draw(toml_value(depth + 1)) for _ in range(draw(st.integers(0, 3)))) + "]"
    pairs = []
    for _ in range(draw(st.integers(0, 2))):
        key = draw(st.sampled_from([*RULES, "minimum", "x"])) or "k"
        pairs.append(f"{key} = {draw(toml_value(depth + 1))}")
    return "{" + ", ".join(pairs) + "}"


@st.composite
def config_text(draw: st.DrawFn, pyproject: bool) -> str:
    lines = []
    header = (
        draw(st.sampled_from(["[tool.iaclint]", "[tool.iaclint]", "", "[tool]", "[iaclint]"]))
        if pyproject
        else draw(
            st.sampled_from(["", "", "[tool.iaclint]", "tool = 5", 'tool = "x"', "[tool]\niaclint = 1"])
        )
    )
    if header:
        lines.append(header)
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=5, unique=True)):
        if draw(st.integers(0, 3)) == 0 and key in ("severity", "parameters", "per-path-ignores"):
            prefix = "tool.iaclint." if pyproject else ""
            lines.append(f"[{prefix}{key}]")
            for rule in draw(st.lists(st.sampled_from(RULES), max_size=2, unique=True)):
                lines.append(f"{_toml_string(rule)} = {draw(toml_value())}")
            lines.append("[other]")
        else:
            lines.insert(1 if header else 0, f"{key} = {draw(toml_value())}")
    if draw(st.integers(0, 5)) == 0:
        lines.append(draw(st.sampled_from(["x = ", "[[a]]\n[a]", "a = 1\na = 2", "\x00", "'''", "= 1"])))
    return "\n".join(lines) + "\n"


@st.composite
def config_case(draw: st.DrawFn) -> Case:
    pyproject = draw(st.booleans())
    name = "pyproject.toml" if pyproject else ".iaclint.toml"
    files: dict[str, str | bytes] = {"infra/main.tf": VIOLATION, name: draw(config_text(pyproject))}
    if draw(st.booleans()):
        files["vars.tfvars"] = draw(st.sampled_from(['policy = "TLS_1_0"', "x = [[[[", "\x00\x01", "{}"]))
    fifos = ["pipe.tfvars"] if draw(st.integers(0, 4)) == 0 else []
    where = draw(st.sampled_from(["found", "given", "parent"]))
    args = ["scan", "infra", "--format", draw(st.sampled_from(["text", "json", "sarif", "github"]))]
    if where == "given":
        args += ["--config", name]
    elif where == "parent":
        # Found automatically above the scanned directory.
        files = {f"sub/{k}" if k != name else k: v for k, v in files.items()}
        args[1] = "sub/infra"
    if draw(st.integers(0, 3)) == 0:
        args = ["config", args[1]] + (["--config", name] if where == "given" else [])
    return Case(files=files, fifos=fifos, mode="cli", args=args, usage_ok=True)


def _json_shape(draw: st.DrawFn, depth: int = 0) -> Any:
    kind = draw(st.integers(0, 6 if depth < 3 else 3))
    if kind == 0:
        return draw(st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()))
    if kind == 1:
        return draw(short_text)
    if kind == 2:
        return draw(st.sampled_from(["5adec059f57ca932de293cd3fe9b56f9", "", "x" * 10_000]))
    if kind == 3:
        return 10 ** draw(st.sampled_from([1, 30, 400]))
    if kind == 4:
        return [_json_shape(draw, depth + 1) for _ in range(draw(st.integers(0, 3)))]
    return {
        draw(st.sampled_from(["fingerprint", "rule", "version", "findings", "x"])): _json_shape(
            draw, depth + 1
        )
        for _ in range(draw(st.integers(0, 3)))
    }


@st.composite
def baseline_case(draw: st.DrawFn) -> Case:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        doc: Any = {
            "version": draw(st.sampled_from([1, 2, "1", None, 1.0, True])),
            "findings": [{"fingerprint": _json_shape(draw)} for _ in range(draw(st.integers(0, 4)))],
        }
        text = json.dumps(doc)
    elif kind == 1:
        text = json.dumps(_json_shape(draw))
    elif kind == 2:
        text = draw(
            st.sampled_from(
                [
                    "[" * 100_000 + "]" * 100_000,
                    '{"version": 2, "findings": ' + "[" * 5000,
                    "\xff\xfe",
                    "",
                    "null",
                    '{"version": 2, "findings": [' + '{"fingerprint": "a"},' * 50_000 + "{}]}",
                ]
            )
        )
    elif kind == 3:
        text = json.dumps(
            {"version": 2, "findings": [{"fingerprint": f"{i:032x}", "rule": "IAC101"} for i in range(3)]}
        )
    else:
        text = json.dumps({"version": 2, "findings": {"fingerprint": [1, 2]}})
    files: dict[str, str | bytes] = {"infra/main.tf": VIOLATION, "baseline.json": text}
    args = [
        "scan",
        "infra",
        "--baseline",
        draw(st.sampled_from(["baseline.json", "baseline.json", "missing.json", "infra"])),
        "--format",
        draw(st.sampled_from(["text", "json", "sarif", "github"])),
    ]
    if draw(st.integers(0, 4)) == 0:
        args = [
            "baseline",
            "create",
            draw(st.sampled_from(["new.json", "infra", "/dev/full", "x/y/z.json"])),
            "infra",
        ]
    return Case(files=files, mode="cli", args=args, usage_ok=True)
