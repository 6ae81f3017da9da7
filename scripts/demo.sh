#!/usr/bin/env bash
# migrate -> status -> rollback -> migrate on the bundled Alembic example, on SQLite:
# no server needed. Each step prints its JSON report.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf .demo && mkdir -p .demo && cp -R examples/alembic .demo/alembic
export PATH="$PWD/.venv/bin:$PATH"
for step in migrate status rollback migrate; do
    printf '\n=== migrate-gate %s\n' "$step"
    migrate-gate "$step" --project-dir .demo/alembic --database-url sqlite:///demo.db --json
done
