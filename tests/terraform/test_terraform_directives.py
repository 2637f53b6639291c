"""`iaclint:ignore` comments in Terraform: every comment form, only real comments, module files too."""

from __future__ import annotations

from pathlib import Path

from conftest import load_dirs, write

from iaclint.lang.terraform.directives import comment_body
from iaclint.resources import Directive


def test_every_comment_form_gives_a_directive_on_its_line(tf) -> None:
    result = tf(
        {
            "main.tf": "# iaclint:ignore IAC101 -- legacy clients\n"
            'resource "aws_api_gateway_domain_name" "a" {\n'
            '  security_policy = "TLS_1_0" // iaclint:ignore IAC101,iac102 -- until 2027\n'
            '  domain_name = "a" /* iaclint:ignore IAC103 */\n'
            "}\n"
            "/* iaclint:ignore IAC101\n   -- spans\n   two lines */\n"
            'resource "t" "b" {}\n'
        }
    )
    path = str(tf.dir / "main.tf")
    assert result.diagnostics == []
    assert result.directives == [
        Directive(path, 1, ("IAC101",), "legacy clients"),
        Directive(path, 3, ("IAC101", "IAC102"), "until 2027"),
        Directive(path, 4, ("IAC103",), ""),
        # A block comment counts on its last line: the line right above what it covers.
        Directive(path, 8, ("IAC101",), "spans two lines"),
    ]


def test_marker_inside_strings_and_heredocs_is_no_directive(tf) -> None:
    result = tf(
        {
            "main.tf": 'resource "t" "a" {\n'
            '  description = "# iaclint:ignore IAC101 -- not a comment"\n'
            "  body = <<-EOT\n    // iaclint:ignore IAC101 -- heredoc text\n  EOT\n"
            "}\n"
            "# a comment that mentions iaclint:ignore in passing\n"
            "# iaclint:ignoreIAC101 is no directive either\n"
        }
    )
    assert result.directives == []


def test_directives_in_module_files_and_tfvars(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'module "m" {\n  source = "./mod"\n}\n',
            "terraform.tfvars": 'x = "TLS_1_0" # iaclint:ignore IAC101 -- set by the platform team\n',
            "mod/main.tf": '# iaclint:ignore -- whole module is a sandbox\nresource "t" "r" {}\n',
        },
    )
    result = load_dirs(tmp_path)
    assert sorted(result.directives, key=lambda d: d.path) == sorted(
        [
            Directive(str(tmp_path / "terraform.tfvars"), 1, ("IAC101",), "set by the platform team"),
            Directive(str(tmp_path / "mod" / "main.tf"), 1, (), "whole module is a sandbox"),
        ],
        key=lambda d: d.path,
    )


def test_broken_file_still_yields_its_directives(tf) -> None:
    result = tf({"main.tf": '# iaclint:ignore IAC101 -- reason\nresource "t" "a" {\n  x = \n'})
    assert [d.line for d in result.directives] == [1]
    assert len(result.diagnostics) == 1


def test_comment_body_strips_markers() -> None:
    assert comment_body("# a  b") == "a b"
    assert comment_body("// a") == "a"
    assert comment_body("/* a\n b */") == "a b"
    assert comment_body("/* unterminated") == "unterminated"
