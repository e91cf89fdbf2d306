#!/usr/bin/env bash
# Chromium in the browser's network namespace (scripts/chromium.sh namespace makes it): the browser tests' executable
# when GODOCKER_BROWSER_NAMESPACE is set. Playwright starts it with chromium's arguments; it runs the real browser
# (GODOCKER_CHROMIUM_BINARY, else what `scripts/chromium.sh path` prints) with them, in that namespace only (nsenter
# --net: the mount namespace, and so /sys and /dev/shm, stay the host's). The pipes Playwright drives it through
# (--remote-debugging-pipe, fds 3 and 4) pass through exec untouched.
set -euo pipefail
namespace=${GODOCKER_BROWSER_NAMESPACE:?GODOCKER_BROWSER_NAMESPACE names the namespace (scripts/chromium.sh namespace)}
binary=${GODOCKER_CHROMIUM_BINARY:-$("$(dirname "$(readlink -f "$0")")/chromium.sh" path)}
exec nsenter --net="/run/netns/$namespace" "$binary" "$@"
