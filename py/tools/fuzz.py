"""Differential fuzzer for the codemod: ``python py/tools/fuzz.py [--count N] [--seed S] [--features F]``.

Generates small random notebooks over the binding forms the codemod claims
(``fuzzing/grammar.py``), runs each original on CPython and its rewrite the
way the kernel runs it, and reports every difference in output, exceptions
or final data, and every difference between the rewrites with the statement
filter on and off (``fuzzing/oracle.py``). Failures are shrunk to minimal
notebooks (``fuzzing/shrink.py``, driven by ``fuzzing/campaign.py``) and
printed with the seed that replays them (``--replay SEED``, with the same
``--features``). Ends with a summary (``fuzzing/report.py``): count, time,
failures by kind and by feature, and how many programs used each production.
Exits 1 when anything failed. This file is the command line.

``--features`` takes ``all`` (the default), a comma-separated list, or
``all,-name,...`` to leave some out; ``--by-feature`` runs ``--count``
programs for each feature on its own, to tell which features fail.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzzing.campaign import Finding, Report, fuzz, minimise  # noqa: E402
from fuzzing.grammar import FEATURES, NEEDS, generate  # noqa: E402
from fuzzing.oracle import CHECKS, check  # noqa: E402
from fuzzing.report import describe, distinct, summary  # noqa: E402

__all__ = ["Finding", "Report", "describe", "distinct", "fuzz", "main", "parse_features", "summary"]


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
