"""What a campaign found, as text: one failure with its reproducer, and the summary with coverage."""

from __future__ import annotations

from collections import Counter

from .campaign import Finding, Report
from .grammar import ALL_PRODUCTIONS, FEATURES, feature_of


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
