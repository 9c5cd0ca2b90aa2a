#!/usr/bin/env bash
# Make sure Debian's `chromium` is installed for the browser tests (tests/ui), like
# scripts/with-postgres.sh does for PostgreSQL: apt-get install when missing and we are root.
# Playwright drives this executable; `playwright install` (a browser download) is never used.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "[ensure-chromium] installing Debian's chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "[ensure-chromium] no /usr/bin/chromium and no way to install it: install chromium" >&2
  exit 1
fi
