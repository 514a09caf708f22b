"""The differential fuzzer's parts (driven by ``py/tools/fuzz.py``).

``program`` (a generated notebook as data) → ``grammar`` (random notebooks
over the binding forms the codemod claims, feature by feature; its
productions live in ``bindings``, ``definitions`` and ``statements``, built
from ``pieces`` over the names in ``context``) → ``oracle`` (the original on
CPython against the rewrite run as the kernel runs it, and the statement
filter on against off) → ``shrink`` (a failing notebook cut down to a minimal
one that fails the same way); ``campaign`` runs many seeds and ``report``
prints what they found.
"""
