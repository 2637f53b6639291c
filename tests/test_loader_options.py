"""Each loader is told only what it reads, in a typed object the engine builds from ScanOptions."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from iaclint.discover import Unit
from iaclint.engine import LOADERS, ScanOptions, loader_options
from iaclint.fileaccess import ScanRoots
from iaclint.lang import arm, bicep, cloudformation, terraform
from iaclint.lang.options import (
    ArmOptions,
    BicepOptions,
    CloudFormationOptions,
    PlanOptions,
    TerraformOptions,
    roots_for,
)

SCAN = ScanOptions(
    paths=["."],
    var_files=["cli.tfvars"],
    config_var_files=["committed.tfvars"],
    variables={"tls": "TLS_1_0"},
    cfn_parameters={"Stage": "prod"},
    cfn_parameter_files=["params.json"],
    arm_parameter_files=["azuredeploy.parameters.json"],
    bicep_parameter_files=["main.bicepparam"],
    roots=ScanRoots(("/scan",)),
)


def test_each_language_gets_its_own_options() -> None:
    roots = ScanRoots(("/scan",))
    assert loader_options("terraform", SCAN) == TerraformOptions(
        roots, {"tls": "TLS_1_0"}, ("cli.tfvars",), ("committed.tfvars",)
    )
    assert loader_options("terraform-plan", SCAN) == PlanOptions(roots)
    assert loader_options("cloudformation", SCAN) == CloudFormationOptions(
        roots, {"Stage": "prod"}, ("params.json",)
    )
    assert loader_options("bicep", SCAN) == BicepOptions(roots, ("main.bicepparam",))
    assert loader_options("arm", SCAN) == ArmOptions(roots, ("azuredeploy.parameters.json",))


def test_every_loader_has_options() -> None:
    for language in LOADERS:
        assert "roots" in {f.name for f in fields(loader_options(language, SCAN))}  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no loader"):
        loader_options("cobol", SCAN)


def test_options_are_frozen() -> None:
    with pytest.raises(AttributeError):
        TerraformOptions().var_files = ("x",)  # type: ignore[misc]


def test_roots_default_to_the_units_own(tmp_path: Path) -> None:
    given = ScanRoots(("/elsewhere",))
    assert roots_for(given, [tmp_path]) is given
    assert roots_for(None, [tmp_path]) == ScanRoots.for_paths([tmp_path])


@pytest.mark.parametrize(
    ("module", "language", "name", "text"),
    [
        (terraform, "terraform", "main.tf", 'resource "t" "r" {\n  x = 1\n}\n'),
        (cloudformation, "cloudformation", "t.yaml", "Resources:\n  R:\n    Type: AWS::SNS::Topic\n"),
        (bicep, "bicep", "main.bicep", "resource r 'A.B/c@1' = {\n  name: 'r'\n}\n"),
        (
            arm,
            "arm",
            "t.json",
            '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",'
            ' "resources": [{"type": "A.B/c", "apiVersion": "1", "name": "r"}]}',
        ),
    ],
)
def test_a_library_caller_may_pass_none(
    tmp_path: Path, module: object, language: str, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    unit = Unit(language, tmp_path if language == "terraform" else path, (path,))
    result = module.load([unit], None)  # type: ignore[attr-defined]
    assert len(result.resources) == 1
    assert not result.diagnostics


def test_options_classes_named_by_their_package() -> None:
    """Each class is defined in its language's module and named by `iaclint.lang.options`."""
    import iaclint.lang.options as package
    from iaclint.lang.options.arm import ArmOptions as defined_arm
    from iaclint.lang.options.bicep import BicepOptions as defined_bicep

    assert (BicepOptions, ArmOptions) == (defined_bicep, defined_arm)
    assert package.TerraformOptions is TerraformOptions
    assert TerraformOptions.__module__ == "iaclint.lang.options.terraform"
    with pytest.raises(AttributeError, match="has no attribute 'NoOptions'"):
        package.NoOptions  # noqa: B018
