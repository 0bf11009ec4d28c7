#!/usr/bin/env bash
# Installs the system packages qgen needs (Debian): libtcc-dev and tcc (the in-process C compiler and
# the C checks), gcc-arm-none-eabi and qemu-system-arm (make check-targets: Cortex-M builds run under
# QEMU). Does nothing when they are present.
set -euo pipefail
missing=()
[ -f /usr/include/libtcc.h ] || missing+=(libtcc-dev)
command -v tcc >/dev/null 2>&1 || missing+=(tcc)
command -v arm-none-eabi-gcc >/dev/null 2>&1 || missing+=(gcc-arm-none-eabi)
command -v qemu-system-arm >/dev/null 2>&1 || missing+=(qemu-system-arm)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "qgen needs ${missing[*]}: run 'sudo apt-get install -y ${missing[*]}'" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "installed ${missing[*]}"
