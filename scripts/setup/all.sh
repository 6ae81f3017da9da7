#!/usr/bin/env bash
# Everything the test suite needs, each step idempotent and quick when done.
set -euo pipefail
here="$(dirname "$0")"
for step in python postgres devtools node goose ruby; do
    "$here/$step.sh"
done
