#!/usr/bin/env bash
# Runs "$@" with a real, unlocked Secret Service (gnome-keyring) on the current D-Bus session bus.
# Call it inside `dbus-run-session`. The keyring lives in a throwaway folder with a throwaway
# password, so tests never touch a developer's own keyring.
set -euo pipefail
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
if command -v gnome-keyring-daemon >/dev/null; then
  printf 'throwaway-test-password' |
    XDG_DATA_HOME="$keyring_home" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  export VBD_TEST_SECRET_SERVICE=1
else
  echo "gnome-keyring-daemon not found: the Secret Service tests will fail" >&2
fi
export QT_QPA_PLATFORM=offscreen
"$@"
