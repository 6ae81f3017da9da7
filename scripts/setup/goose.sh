#!/usr/bin/env bash
# goose, pinned, built once into the per-machine cache so fresh clones reuse it.
# Tests find it as $MIGRATE_GATE_GOOSE or $CACHE_DIR/bin/goose (a symlink to the pinned build).
source "$(dirname "$0")/lib.sh"
GOOSE_VERSION=v3.26.0
# Drivers migrate-gate never hands goose; leaving them out halves the build.
GOOSE_TAGS="no_clickhouse no_mssql no_vertica no_ydb no_libsql"
GO_FALLBACK=go1.24.1  # goose v3.26 needs Go >= 1.23; Debian bookworm ships 1.19
bin="$CACHE_DIR/bin/goose-$GOOSE_VERSION"

# find_go: a Go >= 1.23 on PATH or in /usr/local/go, else the toolchain module
# from the Go module proxy (the only place these machines can fetch Go from).
find_go() {
    local go
    for go in "$(command -v go || true)" /usr/local/go/bin/go "$CACHE_DIR/$GO_FALLBACK/go/bin/go"; do
        [ -x "$go" ] || continue
        "$go" env GOVERSION | grep -Eq '^go1\.(2[3-9]|[3-9][0-9])' && { echo "$go"; return; }
    done
    log "fetching Go $GO_FALLBACK from the Go module proxy"
    apt_install curl unzip ca-certificates
    local zip="$CACHE_DIR/$GO_FALLBACK.zip" arch
    arch=$(dpkg --print-architecture)
    curl -fsSL -o "$zip" \
        "https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-$GO_FALLBACK.linux-$arch.zip"
    rm -rf "$CACHE_DIR/$GO_FALLBACK" && mkdir -p "$CACHE_DIR/$GO_FALLBACK/tmp"
    unzip -q "$zip" -d "$CACHE_DIR/$GO_FALLBACK/tmp"
    # the module zip holds golang.org/toolchain@<v>/{bin,pkg,src,...}
    mv "$CACHE_DIR/$GO_FALLBACK"/tmp/golang.org/toolchain@*/ "$CACHE_DIR/$GO_FALLBACK/go"
    rm -rf "$CACHE_DIR/$GO_FALLBACK/tmp" "$zip"
    chmod +x "$CACHE_DIR/$GO_FALLBACK"/go/bin/* "$CACHE_DIR/$GO_FALLBACK"/go/pkg/tool/*/*
    echo "$CACHE_DIR/$GO_FALLBACK/go/bin/go"
}

if [ ! -x "$bin" ]; then
    go=$(find_go)
    log "building goose $GOOSE_VERSION with $("$go" env GOVERSION) (a few minutes, once per machine)"
    mkdir -p "$CACHE_DIR/bin"
    GOBIN="$CACHE_DIR/build-goose" GOTOOLCHAIN=local CGO_ENABLED=0 \
        "$go" install -tags "$GOOSE_TAGS" "github.com/pressly/goose/v3/cmd/goose@$GOOSE_VERSION"
    mv "$CACHE_DIR/build-goose/goose" "$bin" && rmdir "$CACHE_DIR/build-goose"
fi
ln -sfn "goose-$GOOSE_VERSION" "$CACHE_DIR/bin/goose"
