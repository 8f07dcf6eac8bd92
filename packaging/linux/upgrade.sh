#!/usr/bin/env bash
# An upgrade of the .deb loses nothing (issue 22). Run by verify.sh, with the .deb of version N
# installed, inside a private D-Bus session:
#
#   dbus-run-session -- bash packaging/linux/upgrade.sh NEXT.deb
#
# 1. the installed program (N) runs its self-test with a kept profile (--profile), whose settings
#    and history then also go where the app keeps a user's (the XDG folders of a throwaway home),
#    and a license key goes into the Secret Service (an unlocked, throwaway gnome-keyring);
# 2. `dpkg -i NEXT.deb` (N+1) over it, keeping the administrator's site file (conffile);
# 3. the user's settings and history, the site file and the key are unchanged, and the newer
#    program's self-test opens the older profile's history and adds to it, the older records intact.
set -euo pipefail
cd "$(dirname "$0")/../.."
next_deb=$1
PY=${PY:-.venv/bin/python}  # keyring and SecretStorage, as the app uses them
site=/etc/xdg/VoiceBroadcastDesk/site-settings.json
program=/usr/bin/voice-broadcast-desk
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
fail() { echo "FAIL: $*"; exit 1; }

printf "throwaway-test-password" | XDG_DATA_HOME="$(mktemp -d)" gnome-keyring-daemon --unlock --components=secrets >/dev/null
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data XDG_STATE_HOME=$home/state XDG_CACHE_HOME=$home/cache
export QT_QPA_PLATFORM=offscreen
profile=$home/profile
user_settings=$XDG_CONFIG_HOME/VoiceBroadcastDesk/settings.json
user_history=$XDG_DATA_HOME/VoiceBroadcastDesk/history.sqlite3

self_test() {  # self_test LABEL: the installed program's self-test on the kept profile
  local out status=0
  out=$("$program" --self-test --profile "$profile" 2>"$home/stderr") || status=$?
  echo "[$1] exit $status: $out"
  [ $status -eq 0 ] && [ ! -s "$home/stderr" ] && grep -q '^self-test passed: .*keyring backend: GNOME Keyring / Secret Service' <<<"$out" ||
    { cat "$home/stderr"; fail "$1: the self-test failed"; }
}
history_rows() {  # history_rows FILE: every record (id, action, reference ID, QueueID, count), then the format
  "$PY" - "$1" <<'ROWS'
import sqlite3, sys
from pathlib import Path

connection = sqlite3.connect(Path(sys.argv[1]).resolve().as_uri() + "?mode=ro", uri=True)
for row in connection.execute("SELECT id, action, reference_id, queue_id, count FROM records ORDER BY id"):
    print(*row, sep="\t")
print("format", connection.execute("PRAGMA user_version").fetchone()[0], sep="\t")
connection.close()
ROWS
}
key() {  # key get|set|delete [VALUE]: the Upgrade check account's key in the Secret Service
  "$PY" - "$@" <<'KEY'
import sys
import keyring

backend = keyring.get_keyring()
assert "SecretService" in type(backend).__module__, f"not the Secret Service: {backend!r}"
action, service, account = sys.argv[1], "VoiceBroadcastDesk", "Upgrade check"  # secrets.py SERVICE_NAME
if action == "set":
    backend.set_password(service, account, sys.argv[2])
elif action == "delete":
    backend.delete_password(service, account)
else:
    print(backend.get_password(service, account) or "")
KEY
}

version=$(dpkg-query -W -f='${Version}' voice-broadcast-desk)
next=$(dpkg-deb -f "$next_deb" Version)
echo "upgrade: voice-broadcast-desk $version installed; recording what it leaves"
self_test "version $version, profile kept"
install -D -m 600 "$profile/config/settings.json" "$user_settings"
install -D -m 600 "$profile/data/history.sqlite3" "$user_history"
secret=$(cat /proc/sys/kernel/random/uuid)
key set "$secret"
sums=$home/sums
sha256sum "$user_settings" "$user_history" "$site" "$profile/config/settings.json" "$profile/data/history.sqlite3" >"$sums"
history_rows "$profile/data/history.sqlite3" | grep -v '^format' >"$home/rows-before"
[ -s "$home/rows-before" ] || fail "the self-test recorded no history"

echo "upgrade: dpkg -i $(basename "$next_deb") ($next) over it"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive dpkg -i --force-confdef --force-confold "$next_deb" >/dev/null
[ "$(dpkg-query -W -f='${Version}' voice-broadcast-desk)" = "$next" ] || fail "dpkg did not install $next"
sha256sum --quiet -c "$sums" || fail "the upgrade changed the files above"
[ "$(key get)" = "$secret" ] || fail "the key is no longer in the Secret Service"
dpkg-query -W -f='${Conffiles}\n' voice-broadcast-desk | grep -q "^ $site " || fail "$site is no longer a conffile"
"$program" --check-site-config | grep -qxF '  endpoint = "https://ws.esendex.us/NotifyWS/PhoneNotify.asmx" (locked)' ||
  fail "the upgraded program does not read $site"

self_test "version $next, on version $version's profile"
history_rows "$profile/data/history.sqlite3" >"$home/rows-after"
head -n "$(wc -l <"$home/rows-before")" "$home/rows-after" | cmp -s - "$home/rows-before" ||
  fail "the older history's records changed"
added=$(($(grep -vc '^format' "$home/rows-after") - $(wc -l <"$home/rows-before")))
[ "$added" -gt 0 ] || fail "the newer program added nothing to the older history"
key delete
echo "upgrade: $version -> $next kept the user's settings and history, the site file (conffile) and the key;"
echo "the newer program opened the older history ($(wc -l <"$home/rows-before") records) and added $added" \
  "($(grep '^format' "$home/rows-after" | cut -f2 | sed 's/^/format /'))"
