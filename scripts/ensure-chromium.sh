#!/usr/bin/env bash
# The approval-page tests drive Debian's Chromium; install it when it is missing.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
echo "chromium not found: installing Debian's chromium package" >&2
if [ "$(id -u)" = "0" ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
else
    echo "error: chromium is missing and this user cannot run apt-get; install it with" >&2
    echo "       apt-get install -y chromium" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null
