"""Multi-line `import { ... } from '...'` lists, one name a line without commas, as every Azure Verified
Module writes them: the grammar wants commas, so each gave a false IAC001 (found on
Azure/bicep-registry-modules: res/web/site, res/synapse/workspace, ptn/app-service-lza...)."""

from __future__ import annotations

from pathlib import Path

from iaclint.discover import Unit
from iaclint.lang.bicep import load
from iaclint.lang.bicep.prepass import prepass

SOURCE = """\
import {
  diagnosticSettingFullType
  lockType as avmLock // a comment } with a brace
} from 'br/public:avm/utl/types/avm-common-types:0.7.0'
import { managedIdentityAllType } from 'br/public:avm/utl/types/avm-common-types:0.7.0'
var note = 'import {'
resource apim 'Microsoft.ApiManagement/service@2024-05-01' = {
  name: 'apim1'
  location: 'westeurope'
}
"""


def test_multiline_import_reads_without_diagnostics(tmp_path: Path) -> None:
    p = tmp_path / "main.bicep"
    p.write_text(SOURCE, encoding="utf-8")
    result = load([Unit("bicep", tmp_path, (p,))], None)
    assert result.diagnostics == []
    [apim] = result.resources
    assert (apim.name, apim.span.line) == ("apim1", 7)


def test_only_the_multiline_import_is_blanked_in_place() -> None:
    data = SOURCE.encode()
    out = prepass(data).data
    assert len(out) == len(data)
    lines = out.split(b"\n")
    # The four lines of the multi-line import are blank, line breaks kept.
    assert [ln.strip() for ln in lines[:4]] == [b"", b"", b"", b""]
    # The one-line import and the string are untouched.
    assert lines[4:6] == data.split(b"\n")[4:6]
