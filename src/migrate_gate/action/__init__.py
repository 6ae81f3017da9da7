"""The CI surface: `migrate-gate-action`, run by both GitHub actions and the GitLab component."""

from __future__ import annotations

import sys

from .main import main as _main


def main() -> int:
    """Console script `migrate-gate-action`."""
    return _main()


if __name__ == "__main__":
    sys.exit(main())
