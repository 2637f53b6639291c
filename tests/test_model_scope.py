"""Two root modules may declare the same addresses; links must not cross between them."""

import shutil
from pathlib import Path

import pytest

from iaclint.engine import ScanOptions, scan

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "terraform" / "aws"

UNPROTECTED = '''
resource "aws_api_gateway_rest_api" "orders" {
  name = "orders"
  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_deployment" "orders" {
  rest_api_id = aws_api_gateway_rest_api.orders.id
}

resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.orders.id
  deployment_id = aws_api_gateway_deployment.orders.id
  stage_name    = "prod"
}
'''


def test_waf_association_in_one_root_does_not_protect_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(FIXTURES / "rest-compliant", tmp_path / "a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "main.tf").write_text(UNPROTECTED)
    monkeypatch.chdir(tmp_path)
    result = scan(ScanOptions(paths=["."], select=["IAC801"]))
    hits = [(f.span.path, f.span.line, f.address) for f in result.findings if f.rule_id == "IAC801"]
    assert hits == [("b/main.tf", 13, "aws_api_gateway_stage.prod")]
