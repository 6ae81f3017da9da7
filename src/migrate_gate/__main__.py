"""`python -m migrate_gate` runs the CLI."""

import sys

from .cli import main

sys.exit(main())
