#!/usr/bin/env bash
# Verify the Linux build the way a user gets it: run the frozen bundle's --self-test, then install
# the .deb and run the installed program's --self-test. Each runs offscreen inside a private D-Bus
# session with an unlocked gnome-keyring and must report the Secret Service backend. The .deb is
# installed over an administrator's site settings file, which must be kept (conffile) and read by
# the installed app (--check-site-config). Then an upgrade to the next version with dpkg -i must keep
# the user's settings, history and key and the site file (upgrade.sh). Any crash,
# non-zero exit, unexpected output or any output on stderr fails. Needs root (or sudo) for the .deb.
set -euo pipefail
cd "$(dirname "$0")/../.."

deb=$(ls dist/voice-broadcast-desk_*.deb 2>/dev/null | head -n 1)
[ -x dist/VoiceBroadcastDesk/VoiceBroadcastDesk ] && [ -n "$deb" ] || {
  echo "no build found: run ./dev installers first" >&2; exit 1; }
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)

self_test() {  # self_test LABEL PROGRAM: run PROGRAM --self-test as the CI check describes
  local label=$1 program=$2 out err status failed=0
  out=$(mktemp); err=$(mktemp)
  set +e
  STDERR_FILE=$err dbus-run-session -- bash -c '
    printf "throwaway-test-password" | XDG_DATA_HOME="$(mktemp -d)" gnome-keyring-daemon --unlock --components=secrets >/dev/null
    QT_QPA_PLATFORM=offscreen "$1" --self-test 2>"$STDERR_FILE"' _ "$program" >"$out" 2>/dev/null
  status=$?
  set -e
  echo "[$label] exit $status: $(cat "$out")"
  if [ $status -ne 0 ]; then echo "FAIL: $label exited with $status"; failed=1; fi
  if [ "$(wc -l < "$out")" -ne 1 ] || ! grep -q '^self-test passed: .*keyring backend: GNOME Keyring / Secret Service; connection: .*$' "$out"; then
    echo "FAIL: $label did not print the expected single line"; failed=1; fi
  if [ -s "$err" ]; then echo "FAIL: $label wrote to stderr:"; cat "$err"; failed=1; fi
  rm -f "$out" "$err"
  return $failed
}

self_test "frozen bundle" "$PWD/dist/VoiceBroadcastDesk/VoiceBroadcastDesk"

# An administrator preconfigures the machine: the site settings file is in place before the
# package is installed, and --force-confold keeps it (docs/deployment.md).
site=/etc/xdg/VoiceBroadcastDesk/site-settings.json
"${sudo[@]}" install -D -m 644 packaging/ci/site-settings.example.json "$site"
echo "installing $deb (with an administrator's $site already in place)"
trap '"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq voice-broadcast-desk >/dev/null || true
      "${sudo[@]}" rm -f "$site"' EXIT
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "./$deb" >/dev/null
conffiles=$(dpkg-query -W -f='${Conffiles}\n' voice-broadcast-desk)
grep -q "^ $site " <<<"$conffiles" || {
  echo "FAIL: the .deb does not list $site as a conffile"; exit 1; }
cmp -s packaging/ci/site-settings.example.json "$site" || {
  echo "FAIL: installing the .deb replaced the administrator's $site"; exit 1; }
site_check=$(/usr/bin/voice-broadcast-desk --check-site-config 2>&1) || {
  echo "FAIL: the installed app rejected $site:"; echo "$site_check"; exit 1; }
echo "$site_check"
for expected in "site settings: $site" \
    '  endpoint = "https://ws.esendex.us/NotifyWS/PhoneNotify.asmx" (locked)' '  accounts = ["Support", "Billing"]'; do
  grep -qxF "$expected" <<<"$site_check" || { echo "FAIL: the installed app did not read: $expected"; exit 1; }
done
for path in /opt/VoiceBroadcastDesk/VoiceBroadcastDesk /usr/share/applications/voice-broadcast-desk.desktop \
            /usr/share/icons/hicolor/256x256/apps/voice-broadcast-desk.png "$site"; do
  [ -e "$path" ] || { echo "FAIL: the .deb did not install $path"; exit 1; }
done
self_test "installed .deb" /usr/bin/voice-broadcast-desk

# An upgrade loses nothing: the next version installed with dpkg -i over this one (upgrade.sh). The
# next version is this package with its version raised (the same program: a rebuild would add
# minutes and change nothing dpkg does; ./dev windows rebuilds its next version).
version=$(dpkg-deb -f "$deb" Version)
next=$(awk -F. -v OFS=. '{ $NF = $NF + 1; print }' <<<"$version")
repack=$(mktemp -d)
trap 'rm -rf "$repack"; "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq voice-broadcast-desk >/dev/null || true
      "${sudo[@]}" rm -f "$site"' EXIT
dpkg-deb -R "$deb" "$repack/root"
sed -i "s/^Version: .*/Version: $next/" "$repack/root/DEBIAN/control"
next_deb=$repack/$(basename "${deb/_${version}_/_${next}_}")
dpkg-deb -b --root-owner-group -Zgzip -z1 "$repack/root" "$next_deb" >/dev/null
dbus-run-session -- bash packaging/linux/upgrade.sh "$next_deb"

echo "verified: the frozen bundle and the installed .deb pass their self-test with the Secret Service;"
echo "the .deb keeps an administrator's site settings conffile and the installed app reads it;"
echo "an upgrade with dpkg -i keeps the user's settings, history and key and the site file"
