"""Differential fuzzer for the codemod: ``python py/tools/fuzz.py [--count N] [--seed S] [--features F]``.

Generates small random notebooks over the binding forms the codemod claims
(``fuzzing/grammar.py``), runs each original on CPython and its rewrite the
way the kernel runs it, and reports every difference in output, exceptions
or final data, and every difference between the rewrites with the statement
filter on and off (``fuzzing/oracle.py``). Failures are shrunk to minimal
notebooks (``fuzzing/shrink.py``) and printed with the seed that replays them
(``--replay SEED``, with the same ``--features``). Ends with a summary: count,
time, failures by kind and by feature, and how many programs used each
production. Exits 1 when anything failed.

``--features`` takes ``all`` (the default), a comma-separated list, or
``all,-name,...`` to leave some out; ``--by-feature`` runs ``--count``
programs for each feature on its own, to tell which features fail.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzzing.grammar import ALL_PRODUCTIONS, FEATURES, NEEDS, feature_of, generate  # noqa: E402
from fuzzing.oracle import CHECKS, Failure, check, original_errors  # noqa: E402
from fuzzing.program import Notebook  # noqa: E402
from fuzzing.shrink import shrink  # noqa: E402


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


def parse_features(text: str) -> frozenset[str]:
    """``all``, ``a,b``, ``all,-a`` or ``base`` (nothing beyond what is always on) to a set of feature names."""
    chosen: set[str] = set()
    for word in (w.strip() for w in text.split(",") if w.strip()):
        if word == "all":
            chosen |= set(FEATURES)
        elif word == "base":
            continue
        elif word.startswith("-") and word[1:] in FEATURES:
            chosen.discard(word[1:])
        elif word in FEATURES:
            chosen.add(word)
        else:
            raise ValueError(f"unknown feature {word!r}; known: {', '.join(FEATURES)}")
    return frozenset(chosen)


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


def distinct(findings: list[Finding]) -> list[Finding]:
    """One shrunk finding per kind and set of features used, the one with the smallest reproducer."""
    best: dict[tuple[str, frozenset[str]], Finding] = {}
    for finding in findings:
        if finding.reproducer is None:
            continue
        key = (finding.failure.kind, finding.features())
        if key not in best or finding.reproducer.size() < (best[key].reproducer or finding.reproducer).size():
            best[key] = finding
    return list(best.values())


def _feature_argument(features: frozenset[str]) -> str:
    if features == frozenset(FEATURES):
        return "all"
    missing = sorted(set(FEATURES) - features)
    if len(missing) < len(features):
        return ",".join(["all"] + [f"-{name}" for name in missing])
    return ",".join(sorted(features)) or "base"


def describe(finding: Finding, features: frozenset[str]) -> str:
    """A failure as a reader wants it: kind, features, replay command, minimal notebook, what differed."""
    notebook = finding.reproducer or finding.notebook
    lines = [
        f"FAIL {finding.failure.kind} (features: {', '.join(sorted(finding.features())) or 'base'})",
        f"  replay: npm run fuzz -- --replay {finding.seed} --features {_feature_argument(features)}",
        "  minimal notebook:" if finding.reproducer else "  notebook (not shrunk):",
        *("    " + line for line in notebook.render().splitlines()),
        "  difference:",
        *("    " + line for line in (finding.detail or finding.failure.detail).splitlines()),
    ]
    return "\n".join(lines)


def summary(report: Report, features: frozenset[str]) -> str:
    """Count, time, failures by kind and by feature, and coverage per production, as text."""
    lines = [
        f"{report.programs} programs in {report.seconds:.1f} s, "
        f"{report.failed_programs} failing ({len(report.findings)} failures)"
    ]
    kinds = Counter(finding.failure.kind for finding in report.findings)
    if kinds:
        lines.append("failures by kind: " + ", ".join(f"{kind} {n}" for kind, n in kinds.most_common()))
    distinct = Counter((f.failure.kind, f.features()) for f in report.findings if f.reproducer)
    if distinct:
        lines.append("shrunk failures by kind and the features their minimal notebook uses:")
        for (kind, used), n in sorted(distinct.items(), key=lambda item: (item[0][0], sorted(item[0][1]))):
            lines.append(f"  {kind:10} {', '.join(sorted(used)) or 'base'}: {n}")
    lines.append("coverage (programs using each production):")
    for production in ALL_PRODUCTIONS:
        feature = feature_of(production)
        if feature in ("base", "helper") or feature in features:
            lines.append(f"  {production:24} {feature:15} {report.coverage[production]}")
    return "\n".join(lines)


def by_feature(count: int, seed: int, checks: frozenset[str], timeout: float) -> str:
    """Run ``count`` programs with each feature on its own (plus those it needs); failures by kind per feature."""
    lines = ["| feature | programs | failing | kinds |", "|---|---|---|---|"]
    for name in ["base", *FEATURES]:
        features = frozenset() if name == "base" else frozenset({name}) | NEEDS.get(name, frozenset())
        report = fuzz(count, seed, features, checks, timeout=timeout, shrink_per_kind=0)
        kinds = Counter(f.failure.kind for f in report.findings)
        text = ", ".join(f"{kind} {n}" for kind, n in kinds.most_common()) or "-"
        lines.append(f"| {name} | {report.programs} | {report.failed_programs} | {text} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--count", type=int, default=500, help="programs to generate (default 500)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first program (default 0)")
    parser.add_argument("--replay", type=int, metavar="SEED", help="run the one program with this seed, verbosely")
    parser.add_argument("--time-limit", type=float, default=0.0, help="stop generating after this many seconds")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds one program may run (default 10)")
    parser.add_argument("--features", default="all", help="all | a,b,... | all,-a,... (see the list below)")
    parser.add_argument("--checks", default=",".join(CHECKS), help=f"comma-separated, from {', '.join(CHECKS)}")
    parser.add_argument("--shrink", type=int, default=5, help="failures of each kind to shrink (default 5)")
    parser.add_argument("--by-feature", action="store_true", help="run --count programs per feature on its own")
    parser.add_argument("--list-features", action="store_true", help="print the features and exit")
    args = parser.parse_args(argv)
    if args.list_features:
        print("\n".join(f"{name:15} {text}" for name, text in FEATURES.items()))
        return 0
    try:
        features = parse_features(args.features)
    except ValueError as error:
        parser.error(str(error))
    checks = frozenset(c.strip() for c in args.checks.split(",") if c.strip())
    if not checks <= set(CHECKS):
        parser.error(f"unknown check in {args.checks!r}; known: {', '.join(CHECKS)}")
    if args.by_feature:
        print(by_feature(args.count, args.seed, checks, args.timeout))
        return 0
    if args.replay is not None:
        return replay(args.replay, features, checks, args.timeout)
    report = fuzz(
        args.count,
        args.seed,
        features,
        checks,
        time_limit=args.time_limit,
        timeout=args.timeout,
        shrink_per_kind=args.shrink,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    for finding in distinct(report.findings):
        print(describe(finding, features), end="\n\n")
    print(summary(report, features))
    return 1 if report.findings else 0


def replay(seed: int, features: frozenset[str], checks: frozenset[str], timeout: float) -> int:
    """Print the program for ``seed``, every failure in full, and a shrunk notebook for each."""
    notebook = generate(seed, features)
    print(notebook.render())
    failures = check(notebook, checks, timeout)
    for failure in failures:
        finding = Finding(seed, notebook, failure)
        print(f"FAIL {failure.kind}:\n{failure.detail}\n")
        minimise(finding, timeout)
        print(describe(finding, features), end="\n\n")
    print(f"seed {seed}: {'failed: ' + ', '.join(f.kind for f in failures) if failures else 'same behaviour'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
