#!/usr/bin/env bash
# The built distributions, tested as a user gets them: each one (sdist or wheel) installed
# into a fresh virtual environment (dependencies from PyPI), then
#   - `migrate-gate --version` is VERSION (the tag's),
#   - the installed manifest regenerates this repository's action.yml, runner/action.yml and
#     components byte for byte (the package data is complete),
#   - migrate -> rollback -> status on the bundled Alembic example (SQLite) succeed,
#   - the LICENSE ships inside it.
# Usage: scripts/release/check-dists.sh VERSION DIST...   (release.yml; tests/test_release.py)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
version="$1"; shift
[ $# -gt 0 ] || { echo "usage: $0 VERSION DIST..." >&2; exit 2; }
work="$(mktemp -d)" && trap 'rm -rf "$work"' EXIT

fail() { echo "check-dists: $dist: $*" >&2; exit 1; }

for dist in "$@"; do
    dist="$(cd "$(dirname "$dist")" && pwd)/$(basename "$dist")"
    case "$dist" in
        *.whl) python3 -c 'import sys, zipfile; sys.exit(not any(n.endswith(".dist-info/licenses/LICENSE")
                   for n in zipfile.ZipFile(sys.argv[1]).namelist()))' "$dist" \
                   || fail "no LICENSE in the wheel" ;;
        *.tar.gz) tar -tzf "$dist" | grep '^[^/]*/LICENSE$' >/dev/null || fail "no LICENSE in the sdist" ;;
        *) fail "neither a wheel nor an sdist" ;;
    esac
    # One environment: the first file brings the dependencies, the next replaces only itself.
    venv="$work/venv"
    if [ ! -d "$venv" ] && [ -n "${MIGRATE_GATE_DEPS_FROM:-}" ]; then
        # Tests only: the dependencies from an existing environment's site-packages, put on
        # sys.path by a .pth line (which runs none of that folder's own .pth files, so an
        # editable migrate-gate there stays invisible), pip too; the file installs with no deps.
        python3 -m venv --without-pip "$venv"
        "$venv/bin/python" -c 'import site; print(site.getsitepackages()[0])' \
            | xargs -I{} sh -c 'echo "$MIGRATE_GATE_DEPS_FROM" > "{}/deps-from.pth"'
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$dist"
    elif [ ! -d "$venv" ]; then
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$dist"
    else
        "$venv/bin/python" -m pip uninstall --quiet --yes migrate-gate
        # (tests: that environment's setuptools builds the sdist, nothing is downloaded)
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
            ${MIGRATE_GATE_DEPS_FROM:+--no-build-isolation} "$dist"
    fi
    # Outside the repository, so nothing imports from its src/; the venv's alembic on PATH.
    cd "$work"
    saved_path="$PATH"
    PATH="$venv/bin:$PATH${MIGRATE_GATE_DEPS_FROM:+:$MIGRATE_GATE_DEPS_FROM/../../../bin}"
    got="$("$venv/bin/migrate-gate" --version)"
    [[ "$got" == *" $version" || "$got" == "$version" ]] || fail "--version says '$got', not $version"
    "$venv/bin/python" -m migrate_gate.action.generate --root "$root" --check \
        || fail "the installed manifest does not give this repository's action files"
    rm -rf project dist.db && cp -R "$root/examples/alembic" project
    for step in migrate rollback status; do
        "$venv/bin/migrate-gate" "$step" --project-dir project --database-url sqlite:///dist.db \
            --json > "$step.json" 2> "$step.log" || fail "migrate-gate $step failed: $(cat "$step.log")"
    done
    VERSION="$version" "$venv/bin/python" - <<'PY' || fail "unexpected reports"
import json, os
migrate, rollback, status = (json.load(open(f"{s}.json")) for s in ("migrate", "rollback", "status"))
assert migrate["status"] == "success" and len(migrate["applied"]) == 3, migrate
assert rollback["rolled_back"] == [migrate["applied"][-1]], rollback
assert len(status["pending"]) == 1, status
assert {r["version"] for r in (migrate, rollback, status)} == {os.environ["VERSION"]}
PY
    PATH="$saved_path"
    cd "$root"
    echo "check-dists: $(basename "$dist"): ok"
done
