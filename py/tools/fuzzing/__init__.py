"""The differential fuzzer's parts (driven by ``py/tools/fuzz.py``).

``program`` (a generated notebook as data) → ``grammar`` (random notebooks
over the binding forms the codemod claims, feature by feature) → ``oracle``
(the original on CPython against the rewrite run as the kernel runs it, and
the statement filter on against off) → ``shrink`` (a failing notebook cut
down to a minimal one that fails the same way).
"""
