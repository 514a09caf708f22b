"""Entry point for ``python -m sync_kernel``."""

import sys

from .cli import main

sys.exit(main())
