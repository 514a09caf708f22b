"""A fuzzing campaign: generate programs seed after seed, check each, shrink the first failures of each kind."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from .grammar import feature_of, generate
from .oracle import CHECKS, Failure, check, original_errors
from .program import Notebook
from .shrink import shrink


@dataclass
class Finding:
    """A failing program: its seed, what failed, and (once shrunk) a minimal notebook that fails the same way."""

    seed: int
    notebook: Notebook
    failure: Failure
    reproducer: Notebook | None = None
    detail: str = ""

    def features(self) -> frozenset[str]:
        """The features the reproducer (or, unshrunk, the whole program) uses; ``base`` and helpers left out."""
        used = (self.reproducer or self.notebook).productions()
        return frozenset(feature_of(p) for p in used) - {"base", "helper"}


@dataclass
class Report:
    programs: int = 0
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    coverage: Counter[str] = field(default_factory=Counter)

    @property
    def failed_programs(self) -> int:
        return len({finding.seed for finding in self.findings})


def fuzz(
    count: int,
    seed: int,
    features: frozenset[str],
    checks: frozenset[str] = frozenset(CHECKS),
    *,
    time_limit: float = 0.0,
    timeout: float = 10.0,
    shrink_per_kind: int = 5,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Check ``count`` programs (seeds ``seed`` … ``seed + count - 1``); shrink the first failures of each kind.

    Example::

        >>> report = fuzz(3, 0, frozenset({"alias"}), frozenset({"prefilter"}))
        >>> report.programs
        3
    """
    report = Report()
    started = time.perf_counter()
    for program_seed in range(seed, seed + count):
        if time_limit and time.perf_counter() - started > time_limit:
            break
        notebook = generate(program_seed, features)
        report.programs += 1
        report.coverage.update(notebook.productions())
        for failure in check(notebook, checks, timeout):
            report.findings.append(Finding(program_seed, notebook, failure))
            if progress:
                progress(f"seed {program_seed}: {failure.kind}")
    report.seconds = time.perf_counter() - started
    shrunk: Counter[str] = Counter()
    for finding in report.findings:
        if shrunk[finding.failure.kind] < shrink_per_kind:
            shrunk[finding.failure.kind] += 1
            minimise(finding, timeout)
    return report


def minimise(finding: Finding, timeout: float) -> None:
    """Shrink ``finding``'s notebook to a small one failing the same way; keep that failure's detail.

    Candidates whose original raises in more cells than the program did are
    rejected, so a reproducer of working code stays working code.
    """
    kind = finding.failure.kind
    errors = original_errors(finding.notebook, timeout)

    def fails(notebook: Notebook) -> bool:
        if original_errors(notebook, timeout) > errors:
            return False  # a smaller notebook that breaks the original would show a different problem
        if kind in ("timeout", "crash"):
            return any(f.kind == kind for f in check(notebook, frozenset(CHECKS), timeout))
        return any(f.kind == kind for f in check(notebook, frozenset({kind}), timeout))

    finding.reproducer = shrink(finding.notebook, fails)
    again = [f for f in check(finding.reproducer, frozenset(CHECKS), timeout) if f.kind == kind]
    finding.detail = again[0].detail if again else finding.failure.detail
