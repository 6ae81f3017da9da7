#!/usr/bin/env bash
# The virtual environment with migrate-gate (editable) and the dev tools.
source "$(dirname "$0")/lib.sh"
VENV="${VENV:-.venv}"
[ -x "$VENV/bin/python" ] || { log "creating $VENV"; python3 -m venv "$VENV"; }
stamp="$VENV/.installed-$(cat pyproject.toml | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
    log "installing migrate-gate and dev dependencies into $VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -e ".[${EXTRAS:-dev}]"
    rm -f "$VENV"/.installed-* && touch "$stamp"
fi
