"""The evaluation budget: what one unit's evaluation may build and how much work it may do.

The code iaclint evaluates is untrusted, and every template language can be driven to gigabytes or
minutes by a few lines (string doubling through locals, `format("%0999999999d", 1)`, nested
`range`, a lambda bomb, `Fn::Sub` over YAML aliases). Every evaluator charges one `Budget` per unit
(a Terraform root with its modules, a template, a Bicep entry file with its modules), so a hostile
unit cannot starve another unit's evaluation:

- each string and each collection an evaluation builds has a size cap, charged *before* it is
  built (a result's size is worked out from its inputs first);
- each loop or `count`/`for_each`/`copy` expansion has an instance cap;
- expression and call nesting has a depth cap;
- the unit as a whole has a cap on work (evaluation steps) and on the bytes and collection members
  it builds in all, which bounds its memory.

Going over raises `BudgetExceeded`; the evaluator catches it where a named value is worked out (a
local, a variable, a resource argument) and makes that value unknown with a note ("evaluation
budget exceeded in local.x: a string over 4 MB"); the rest of the unit and the scan go on.

All limits live in `Limits`, so the README's safety section and the tests read them from one place.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from iaclint.fileaccess import MAX_FILE_BYTES, megabytes
from iaclint.records import record


@record(frozen=True)
class Limits:
    """The most one evaluation may build, nest or expand, and one unit may produce."""

    # Any one string an evaluation builds (also the most a file-loading function reads).
    string_bytes: int = 4 * 1024 * 1024
    # Members of any one list or object an evaluation builds.
    collection_items: int = 100_000
    # Instances of one count / for_each / copy / loop.
    expansion: int = 1_000
    # Resource instances one unit may produce, all its loops, nested deployments and modules together:
    # a loop of 1,000 deployments each looping over 1,000 resources stays within `expansion` at each
    # step, and a unit's resources (with their findings) are what its memory follows.
    resources: int = 10_000
    # Nesting of expressions and of function calls (user functions, lambdas, modules).
    depth: int = 200
    # Per unit: evaluation steps, and what it may build in all.
    work: int = 1_000_000
    built_bytes: int = 64 * 1024 * 1024
    built_items: int = 1_000_000
    # What all the units of one scan may build together (what they build is what they keep): the
    # scan's memory stays under about 1 GB whatever the input. A unit that finds it spent is
    # reported as partly read.
    scan_built_bytes: int = 384 * 1024 * 1024
    scan_built_items: int = 3_000_000
    # Any file read (source, variables, parameters, configuration, baseline).
    file_bytes: int = MAX_FILE_BYTES
    # One decoded template (CloudFormation YAML or JSON): its values, a YAML alias counting as all
    # the values it stands for at each use (a value costs some 250 bytes); and the text YAML
    # aliases may repeat in it, the anchored node's text counted at each use. CloudFormation
    # accepts no aliases at all, and at most 1 MB of template (some 30,000 values; the largest
    # real one seen has 1,000), so neither bound touches a real template.
    document_nodes: int = 500_000
    alias_chars: int = 4 * 1024 * 1024
    # Parsing one file: a base plus a share per megabyte (wall clock; see `lang/parsing.py`).
    parse_seconds: float = 3.0
    parse_seconds_per_mb: float = 4.0
    # What one parse may add to the process's peak memory (the Bicep grammar's error recovery
    # grows by about 150 MB a second on junk; see `lang/parsing.py`).
    parse_memory: int = 256 * 1024 * 1024
    # Findings one resource may produce for one rule before the rest are counted, not listed.
    findings_per_resource_rule: int = 50
    # API Management policy text read per unit (documents shared by many scopes are read once), and
    # policy elements gone through to work out the effective policy of every API in it.
    policy_chars: int = 16 * 1024 * 1024
    policy_elements: int = 1_000_000
    # A configuration file (`.iaclint.toml`, `pyproject.toml`), and the parts of any dotted TOML key
    # in it: Python's TOML reader is quadratic in a key's parts (`a.a.a...`, 20,000 parts take 4 s).
    config_bytes: int = 1024 * 1024
    config_key_parts: int = 32


LIMITS = Limits()


class BudgetExceeded(Exception):
    """An evaluation went over its budget; `what` says which limit, in a few words."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def exceeded_note(where: str, err: BudgetExceeded) -> str:
    """The reason of an unknown value cut off by the budget."""
    if not where:
        return f"evaluation budget exceeded: {err.what}"
    return f"evaluation budget exceeded in {where}: {err.what}"


def _too_long(n: int, limits: Limits) -> BudgetExceeded:
    return BudgetExceeded(f"a string of {n:,} characters (limit {megabytes(limits.string_bytes)})")


def _too_many(n: int, limits: Limits) -> BudgetExceeded:
    return BudgetExceeded(f"a collection of {n:,} members (limit {limits.collection_items:,})")


class Budget:
    """One unit's budget. Methods charge it and raise `BudgetExceeded` when a limit is passed.

    `exhausted` keeps the first unit-wide limit passed: once the work or the memory allowance is
    spent every later charge fails at once, so a hostile unit costs no more than its allowance.
    """

    __slots__ = (
        "_bytes_cap", "_items_cap", "_resources_cap", "_steps_cap", "built_bytes", "built_items", "exhausted",
        "limits", "resource_count", "scan", "steps", "unit",
    )  # fmt: skip

    def __init__(self, limits: Limits = LIMITS, unit: str = "") -> None:
        self.limits = limits
        self.unit = unit
        self.steps = 0
        self.built_bytes = 0
        self.built_items = 0
        self.resource_count = 0
        self.exhausted: str | None = None
        # What each counter may reach; all drop below zero once any allowance is spent, so the
        # hot paths compare one number and every later charge fails.
        self._steps_cap = limits.work
        self._bytes_cap = limits.built_bytes
        self._items_cap = limits.built_items
        self._resources_cap = limits.resources
        # The scan this unit belongs to (see `scan_allowance`); None outside one.
        self.scan = _scan
        if self.scan is not None and (self.scan.bytes_left < 0 or self.scan.items_left < 0):
            self._spent(self.scan.spent())

    def _spent(self, what: str) -> BudgetExceeded:
        if self.exhausted is None:
            self.exhausted = what
            self._steps_cap = self._bytes_cap = self._items_cap = self._resources_cap = -1
        return BudgetExceeded(self.exhausted)

    def step(self, n: int = 1) -> None:
        """`n` evaluation steps."""
        self.steps += n
        if self.steps > self._steps_cap:
            raise self._spent(f"more than {self.limits.work:,} evaluation steps in this unit")

    def string(self, n: int) -> None:
        """A string of `n` characters (or bytes) about to be built."""
        if n > self.limits.string_bytes:
            raise _too_long(n, self.limits)
        self.built_bytes += n
        if self.built_bytes > self._bytes_cap:
            raise self._spent(f"more than {megabytes(self.limits.built_bytes)} of strings built in this unit")
        scan = self.scan
        if scan is not None:
            scan.bytes_left -= n
            if scan.bytes_left < 0:
                raise self._spent(scan.spent())

    def collection(self, n: int) -> None:
        """A list or object of `n` members about to be built."""
        if n > self.limits.collection_items:
            raise _too_many(n, self.limits)
        self.built_items += n
        if self.built_items > self._items_cap:
            raise self._spent(
                f"more than {self.limits.built_items:,} collection members built in this unit"
            )
        scan = self.scan
        if scan is not None:
            scan.items_left -= n
            if scan.items_left < 0:
                raise self._spent(scan.spent())

    def expansion(self, n: int) -> None:
        """A loop, count, for_each or copy of `n` instances about to be expanded."""
        if n > self.limits.expansion:
            raise BudgetExceeded(f"{n:,} instances (limit {self.limits.expansion:,})")
        self.collection(n)

    def resource(self) -> None:
        """One more resource instance produced by this unit."""
        self.resource_count += 1
        if self.resource_count > self._resources_cap:
            raise self._spent(f"more than {self.limits.resources:,} resources in this unit")

    def depth(self, d: int) -> None:
        """Nesting `d` reached (expressions, calls, modules)."""
        if d > self.limits.depth:
            raise BudgetExceeded(f"nested more than {self.limits.depth} levels deep")

    def check(self) -> None:
        """Fail at once when a unit-wide allowance is already spent."""
        if self.exhausted is not None:
            raise BudgetExceeded(self.exhausted)

    def active(self) -> _Active:
        """Make this the budget `current()` returns while evaluating (functions shared by
        languages, such as the ARM/Bicep function table, charge the current budget)."""
        return _Active(self)


class _Active:
    """`with budget.active():` as a class: a value worked out later makes its unit's budget current
    on every read (a generator context manager cost 3.5x the instructions)."""

    __slots__ = ("budget", "previous")

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.previous = budget

    def __enter__(self) -> Budget:
        global _current
        self.previous = _current
        _current = self.budget
        return self.budget

    def __exit__(self, *_exc: object) -> None:
        global _current
        _current = self.previous


class ScanAllowance:
    """What all the units of one scan may still build (`Limits.scan_built_*`). Budgets made while
    it is current (see `scan_allowance`) charge it as well as their own unit's allowance."""

    __slots__ = ("bytes_left", "items_left", "limits")

    def __init__(self, limits: Limits = LIMITS) -> None:
        self.limits = limits
        self.bytes_left = limits.scan_built_bytes
        self.items_left = limits.scan_built_items

    def spent(self) -> str:
        return (
            f"the scan's allowance ({megabytes(self.limits.scan_built_bytes)} of strings, "
            f"{self.limits.scan_built_items:,} collection members built by all units) is spent"
        )


_scan: ScanAllowance | None = None


@contextmanager
def scan_allowance(limits: Limits = LIMITS) -> Iterator[ScanAllowance]:
    """One scan's allowance, given to every Budget made until the block ends (a scan, or a worker
    process loading its share of one). Nested calls keep the outer one."""
    global _scan
    if _scan is not None:
        yield _scan
        return
    _scan = ScanAllowance(limits)
    try:
        yield _scan
    finally:
        _scan = None


class _Unbounded(Budget):
    """The budget outside any unit (a library caller evaluating by hand): per-value caps hold, the
    unit-wide allowances do not (nothing would ever reset them)."""

    __slots__ = ()

    def step(self, n: int = 1) -> None:
        pass

    def string(self, n: int) -> None:
        if n > self.limits.string_bytes:
            raise _too_long(n, self.limits)

    def collection(self, n: int) -> None:
        if n > self.limits.collection_items:
            raise _too_many(n, self.limits)

    def resource(self) -> None:
        pass


_DEFAULT: Budget = _Unbounded()
_current: Budget = _DEFAULT


def current() -> Budget:
    """The budget of the unit being evaluated (see `Budget.active`)."""
    return _current
