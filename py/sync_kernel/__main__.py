"""Entry point for ``python -m sync_kernel``."""

import sys

from .codemod.cli import main

sys.exit(main())
