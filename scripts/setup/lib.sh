# Shared helpers for the setup scripts (sourced, not run).
set -euo pipefail
CACHE_DIR="${MIGRATE_GATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/migrate-gate}"
mkdir -p "$CACHE_DIR"
APT_UPDATED_STAMP="$CACHE_DIR/.apt-updated"

log() { printf 'setup: %s\n' "$*" >&2; }

# apt_install PKG...: install the Debian packages that are missing, and only those.
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if [ ! -f "$APT_UPDATED_STAMP" ] || [ -n "$(find "$APT_UPDATED_STAMP" -mmin +720)" ]; then
        $sudo apt-get update -qq && touch "$APT_UPDATED_STAMP"
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
