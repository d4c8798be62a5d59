#!/usr/bin/env bash
# Installs the Debian packages lmshard builds against when they are missing.
# Sourced by tools/demo.sh and tools/test.sh; safe to run repeatedly.
set -euo pipefail

lmshard_missing_packages() {
    local missing=()
    [ -f /usr/include/zstd.h ] || missing+=(libzstd-dev)
    [ -f /usr/include/xxhash.h ] || missing+=(libxxhash-dev)
    [ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
    [ -f /usr/include/oniguruma.h ] || missing+=(libonig-dev)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
    # The zstd tool, for the CLI tests that give builds .zst inputs.
    command -v zstd >/dev/null 2>&1 || missing+=(zstd)
    # Java for the Spark driver's tests (pyspark runs a local JVM).
    command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
    echo "${missing[@]:-}"
}

lmshard_ensure_deps() {
    local missing
    missing=$(lmshard_missing_packages)
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" = 0 ]; then
        echo "lmshard: installing $missing" >&2
        apt-get update -qq
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    else
        echo "lmshard: missing Debian packages: $missing (run: sudo apt-get install $missing)" >&2
        return 1
    fi
}
