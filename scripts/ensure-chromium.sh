#!/usr/bin/env bash
# Make sure Debian's `chromium` (and a Chinese font, so pages and screenshots show 中文, not
# boxes) is installed for the browser tests (tests/ui), as scripts/with-postgres.sh does for
# PostgreSQL: apt-get install when missing and we are root. Playwright drives this
# executable; `playwright install` (a browser download) is never used.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto/*CJK* >/dev/null 2>&1 \
  || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "[ensure-chromium] installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "[ensure-chromium] no /usr/bin/chromium and no way to install it: install chromium" >&2
  exit 1
fi
