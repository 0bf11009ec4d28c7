#!/usr/bin/env bash
# Installs the system packages qgen needs (Debian): libtcc-dev and tcc. Does nothing when present.
set -euo pipefail
if [ -f /usr/include/libtcc.h ] && command -v tcc >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "qgen needs libtcc-dev and tcc: run 'sudo apt-get install -y libtcc-dev tcc'" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq libtcc-dev tcc >/dev/null
echo "installed libtcc-dev and tcc"
