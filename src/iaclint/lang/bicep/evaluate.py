"""Evaluate a parsed Bicep file: parameters, variables, functions, resources, modules, outputs.

Resources come out in ARM's shape, so the Azure model reads Bicep and ARM alike:

- `type`: the full ARM type without API version (`Microsoft.ApiManagement/service/apis`), composed
  for nested children and `parent:`;
- `name`: the full ARM name (`apim1/api1`); when a part is unknown, the symbolic name;
- `address`: `<display path>#<symbol>`, nested children `parent::child`, module contents
  `module.<sym>.<symbol>`, loop instances `[i]`;
- `body`: the declaration object as ARM has it (`name` full, `type`, `apiVersion`, `location`,
  `properties`, ...; `parent` dropped, nested `resource` declarations taken out), each member's span
  running from its key to the end of its value;
- `span`: the declaration header, from `resource` to the end of the type string.

Symbol references: `apim.id` is unknown with a ref to apim's address; `apim.name`, `apim.type`,
`apim.apiVersion`, `apim.properties.x` are what the declaration says (a property it does not set is
a runtime value: unknown, with the ref).

The code is untrusted. Every evaluation charges the entry file's `Budget` (`Context.budget`): a step
per expression node, the size of every string and collection before it is built, loop and module
instances, and nesting (`Context.depth`, counted across variables, functions, lambdas, modules and
values worked out later). A named value that goes over (a variable, a parameter, an output, a
member of a resource body, a module parameter) is unknown with a note; the rest goes on. Files the
code names (modules, `loadTextContent()` and its kind) are read through `fileaccess.read_bytes`
inside the scan roots.
"""

from __future__ import annotations

from iaclint.lang.bicep.calls import Calls
from iaclint.lang.bicep.expressions import Expressions
from iaclint.lang.bicep.filescope import Context
from iaclint.lang.bicep.modules import Modules
from iaclint.lang.bicep.resources import Resources

__all__ = ["Context", "FileEvaluator"]


class FileEvaluator(Expressions, Calls, Resources, Modules):
    """Evaluates one Bicep file (an entry file, or one instance of a module): a `FileScope` (its
    declarations and state, filescope.py) made of the expressions, calls, resources and modules
    parts."""
