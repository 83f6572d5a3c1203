#!/usr/bin/env bash
# The Debian packages the tests use beyond Python: libzbar0 (pyzbar), chromium with
# fonts-noto-cjk (browser tests and kiosk screenshots; Chinese renders as boxes without the
# font) and espeak-ng (the kiosk reads recalls aloud). Installs the missing ones when it can
# (root with apt-get); otherwise names them and goes on: their tests then skip, or fail
# under REQUIRE_SERVICES=1.
set -uo pipefail

missing=()
for package in libzbar0 chromium fonts-noto-cjk espeak-ng; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]}"
  if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
    exit 0
  fi
fi
echo "missing Debian packages (their tests skip): ${missing[*]}" >&2
exit 0
