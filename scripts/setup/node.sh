#!/usr/bin/env bash
# Node packages the Knex and Prisma test fixtures run with, installed from the committed
# lockfile (tests/fixtures/node/package-lock.json) into a cache keyed by the lockfile and the
# Node ABI, because better-sqlite3 builds from source here (about a minute) and a fresh clone
# would otherwise rebuild it on every CI run. tests/fixtures/node/node_modules links to it.
source "$(dirname "$0")/lib.sh"
fixtures="$(cd "$(dirname "$0")/../../tests/fixtures/node" && pwd)"
command -v npm >/dev/null || apt_install nodejs npm
abi=$(node -p 'process.versions.modules')
key="$(sha1sum "$fixtures/package-lock.json" | cut -c1-12)-abi$abi"
dest="$CACHE_DIR/node-$key"
if [ ! -f "$dest/.installed" ]; then
    log "installing the Knex/Prisma fixture packages into $dest (builds better-sqlite3, ~1-2 min)"
    work="$dest.tmp.$$"
    rm -rf "$work" && mkdir -p "$work"
    trap 'rm -rf "$work"' EXIT
    cp "$fixtures/package.json" "$fixtures/package-lock.json" "$work/"
    # node-gyp needs the Node headers; the download host is unreachable, the nodejs package has them.
    headers="$(dirname "$(dirname "$(command -v node)")")"
    [ -f "$headers/include/node/node.h" ] && export npm_config_nodedir="$headers"
    # No lifecycle scripts on install (prisma's postinstall would try to download its native
    # engines), then build only the one native module the fixtures need; skip its prebuilt
    # download attempt, which cannot succeed here.
    (cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
    (cd "$work" && npm_config_build_from_source=true \
        npm rebuild better-sqlite3 --no-audit --no-fund --loglevel=error >/dev/null)
    (cd "$work" && node -e 'new (require("better-sqlite3"))(":memory:").close()')
    touch "$work/.installed"
    rm -rf "$dest" && mv "$work" "$dest"
    trap - EXIT
fi
if [ "$(readlink "$fixtures/node_modules" 2>/dev/null)" != "$dest/node_modules" ]; then
    rm -rf "$fixtures/node_modules"
    ln -s "$dest/node_modules" "$fixtures/node_modules"
fi
