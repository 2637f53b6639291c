"""Hostile atoms shared by the grammar-aware generators: numbers, strings, names, paths, patterns,
format verbs, and odd files (FIFOs, links, binary, encodings) to sprinkle into any tree."""

from __future__ import annotations

import os

from hypothesis import strategies as st

# FIFOs and links to devices hang or flood a reader that is not guarded; a developer chasing
# another bug can leave them out with IACLINT_FUZZ_SPECIAL_FILES=0.
SPECIAL_FILES = os.environ.get("IACLINT_FUZZ_SPECIAL_FILES", "1") != "0"

# Numbers at the edges: huge, tiny, negative, exponents past a double, more digits than Python
# converts by default (4,300), and counts that would expand forever.
BIG_NUMBERS = [
    "0",
    "1",
    "-1",
    "2",
    "3",
    "7",
    "10",
    "255",
    "1000",
    "1001",
    "65535",
    "100000",
    "1000000",
    "100000000",
    "999999999",
    "2147483648",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "1e3",
    "1e308",
    "1e309",
    "-1e400",
    "1.5",
    "0.1",
    "-0",
    "0.0000001",
    "1" * 60,
    "9" * 5000,
]
COUNTS = ["0", "1", "2", "3", "10", "1000", "1001", "100000", "100000000", "-1", "9" * 40]

# Strings that stress a reader or a report: control characters, escapes, long runs, non-BMP
# characters, things that look like expressions or markup, bidirectional controls.
HOSTILE_TEXT = [
    "",
    "a",
    "TLS_1_0",
    "TLS_1_2",
    "True",
    "False",
    "null",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "\ufeff",
    "\U0001f600",
    "é",
    "\\",
    '"',
    "'",
    "`",
    "${x}",
    "%{x}",
    "[x]",
    "{x}",
    "{{",
    "}}",
    "%",
    "%%",
    "::error::x",
    "<a>",
    "&amp;",
    "]]>",
    "*",
    "&a",
    "!Ref",
    "#",
    "//",
    "/*",
    "*/",
    "\\u0000",
    "a" * 300,
    "x" * 5000,
    "ab" * 2000,
]

IDENT_CHARS = "abcdefghijklmnopqrstuvwxyz"
identifiers = st.text(IDENT_CHARS, min_size=1, max_size=6).map(lambda s: s if s[0].isalpha() else "x" + s)

# Paths a template may name for a file read: inside, outside, absolute, special, odd.
READ_PATHS = [
    "data.txt",
    "./data.txt",
    "sub/data.txt",
    "missing.txt",
    "../data.txt",
    "../../../../etc/passwd",
    "/etc/passwd",
    "/proc/self/environ",
    "/dev/zero",
    "/dev/urandom",
    "/dev/stdin",
    "pipe",
    "link",
    "dangling",
    ".git/config",
    "../.git/config",
    "",
    ".",
    "..",
    "sub",
    "a\x00b",
    "x" * 300,
    "sub/../../data.txt",
    "\\\\server\\share",
    "C:\\x",
    "~/.ssh/id_rsa",
    "data.txt/",
    "%2e%2e/x",
]

# Regular expressions: catastrophic under backtracking, invalid, RE2-only, Perl-only.
PATTERNS = [
    "(a+)+$",
    "(a|aa)+$",
    "(a*)*b",
    "((a+)+)+c",
    "(x+x+)+y",
    "(",
    ")",
    "[",
    "a{2000}",
    "a{1001}",
    "(?=a)",
    "(?<=a)",
    "(a)\\1",
    "\\pL+",
    "[[:alpha:]]+",
    "\\z",
    "(?i)tls",
    "(?P<n>a)",
    "^$",
    ".*",
    "",
    "\\",
    "[^]",
    "a**",
    "(?s).",
    "\\Q(\\E",
    "(a)|b",
    "^(\\w+)-(\\d)$",
]
EVIL_SUBJECTS = ["a" * 40 + "!", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", "TLS_1_0", "", "x" * 3000 + "!"]

# Format verbs Terraform, ARM and Bicep understand, and widths that would allocate gigabytes.
FORMAT_STRINGS = [
    "%s",
    "%d",
    "%v",
    "%q",
    "%#v",
    "%5.2f",
    "%0999999999d",
    "%999999999s",
    "%-999999999v",
    "%*d",
    "%[2]s %[1]s",
    "%[99]s",
    "%%",
    "%",
    "%!",
    "%08.3f",
    "%t",
    "%x",
    "{0}",
    "{1}",
    "{0,999999999}",
    "{0:D999999999}",
    "{99}",
    "{",
    "}",
    "{{0}}",
    "{0}{0}{0}",
]


def pick(values: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(values)


short_text = st.one_of(pick(HOSTILE_TEXT), st.text(max_size=20))
numbers = pick(BIG_NUMBERS)
counts = pick(COUNTS)
read_paths = pick(READ_PATHS)
patterns = pick(PATTERNS)
format_strings = pick(FORMAT_STRINGS)

# -- odd files ------------------------------------------------------------------------------------

TEMPLATE_NAMES = [
    "main.tf",
    "x.tf",
    "x.tf.json",
    "terraform.tfvars",
    "x.auto.tfvars",
    "x.auto.tfvars.json",
    "template.yaml",
    "template.yml",
    "template.json",
    "x.template",
    "main.bicep",
    "main.bicepparam",
    "azuredeploy.json",
    "azuredeploy.parameters.json",
    "plan.json",
    ".iaclint.toml",
    "pyproject.toml",
    "policy.xml",
    "data.txt",
]

ODD_CONTENT = [
    b"",
    b"\x00" * 64,
    b"\xff\xfe" + "x".encode("utf-16-le") * 20,
    b"\xef\xbb\xbf",
    b"\xef\xbb\xbf{}",
    b"\xc3\x28\xa0\xa1",
    bytes(range(256)),
    b"{" * 3000,
    b"[" * 3000,
    b"<" * 3000,
    b"\r" * 100,
    b'{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"',
    b'{"AWSTemplateFormatVersion": "2010-09-09", "Resources": ',
    b'{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"type": 5}]}}}',
    b"Resources:\n  X: !!python/object/apply:os.system [id]\n",
    b'resource "a" "b" {\n',
    b"\x00resource",
    b"%YAML 1.1\n---\n--- !!binary AAAA\n",
]


@st.composite
def odd_files(draw: st.DrawFn, under: str = "odd") -> dict[str, object]:
    """A few files and special entries to add to a case: binary or truncated templates, FIFOs,
    links (dangling, looping, to a FIFO, to a device, to a directory) and directories named like
    templates. Returns {"files": ..., "fifos": ..., "links": ..., "dirs": ...}."""
    files: dict[str, bytes] = {}
    fifos: list[str] = []
    links: dict[str, str] = {}
    dirs: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        name = f"{under}/{draw(pick(TEMPLATE_NAMES))}"
        kind = draw(
            st.sampled_from(["content", "fifo", "link", "dir"] if SPECIAL_FILES else ["content", "dir"])
        )
        if name in files or name in fifos or name in links or name in dirs:
            continue
        if kind == "content":
            files[name] = draw(st.one_of(st.sampled_from(ODD_CONTENT), st.binary(max_size=200)))
        elif kind == "fifo":
            fifos.append(name)
        elif kind == "dir":
            dirs.append(name)
        else:
            target = draw(
                st.sampled_from(["missing", name.rsplit("/", 1)[-1], "/dev/zero", "/dev/null", "..", "."])
            )
            links[name] = target
    return {"files": files, "fifos": fifos, "links": links, "dirs": dirs}
