#!/usr/bin/env bash
# Everything the test suite needs, each step idempotent and quick when done.
set -euo pipefail
here="$(dirname "$0")"
for step in python postgres devtools; do  # node goose ruby: added as their ecosystems land
    "$here/$step.sh"
done
