"""``concurrent`` for thread tasks: its ``futures`` runs executor work as tasks on the loop.

The codemod rewrites ``import concurrent.futures`` to import this package, whose ``futures``
attribute is :mod:`sync_kernel.threads.concurrent.futures`.
"""

from . import futures

__all__ = ["futures"]
