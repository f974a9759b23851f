#!/usr/bin/env bash
# Browser tests drive Debian's Chromium. Install it when missing and we may (root with apt-get);
# otherwise say so: the tests then fail in CI (CI=true) and are skipped elsewhere.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the browser tests..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
    echo "note: /usr/bin/chromium is missing; install Debian's chromium package for the browser tests" >&2
fi
