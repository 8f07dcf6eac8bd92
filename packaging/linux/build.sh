#!/usr/bin/env bash
# Build the Linux bundle, a .tar.gz and a .deb from build.spec, print their sizes and check them
# against the targets (150 MB unpacked, 60 MB as .tar.gz). Run from anywhere: ./dev installers
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
MAX_UNPACKED_MB=150
MAX_TARGZ_MB=60

version=$("$PY" -c 'import desktop_app; print(desktop_app.__version__)')
arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
bundle=dist/VoiceBroadcastDesk
if [ -n "${VBD_REUSE_BUNDLE:-}" ] && [ -x "$bundle/VoiceBroadcastDesk" ]; then
  echo "reusing $bundle (VBD_REUSE_BUNDLE: CI built and self-tested it already)"
  rm -f dist/*.deb dist/*.tar.gz
else
  rm -rf build dist
  "$PY" -m PyInstaller --noconfirm --log-level WARN build.spec
fi
# The Windows installer script names files of this same bundle: check them here, on Linux.
"$PY" packaging/windows/check_iss.py

tarball="dist/VoiceBroadcastDesk-$version-linux-$arch.tar.gz"
tar -C dist -cf - VoiceBroadcastDesk | gzip -9 > "$tarball"

# .deb: the bundle under /opt, a launcher in /usr/bin, the desktop file and the icon, and the
# administrator's site settings file as a conffile (dpkg keeps local changes on upgrade).
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
install -d "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/icons/hicolor/256x256/apps" "$stage/DEBIAN" "$stage/etc/xdg/VoiceBroadcastDesk"
install -m 644 packaging/linux/site-settings.json "$stage/etc/xdg/VoiceBroadcastDesk/site-settings.json"
echo /etc/xdg/VoiceBroadcastDesk/site-settings.json > "$stage/DEBIAN/conffiles"
cp -a "$bundle" "$stage/opt/VoiceBroadcastDesk"
ln -s /opt/VoiceBroadcastDesk/VoiceBroadcastDesk "$stage/usr/bin/voice-broadcast-desk"
install -m 644 resources/voice-broadcast-desk.desktop "$stage/usr/share/applications/"
install -m 644 resources/icons/voice-broadcast-desk.png "$stage/usr/share/icons/hicolor/256x256/apps/"
installed_kb=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<CONTROL
Package: voice-broadcast-desk
Version: $version
Architecture: $arch
Maintainer: Voice Broadcast Desk developers <support@voicebroadcastdesk.invalid>
Installed-Size: $installed_kb
Depends: libc6, libegl1, libfontconfig1, libfreetype6, libdbus-1-3, libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-randr0, libxcb-render-util0, libxcb-shape0, libxcb-xkb1
Recommends: gnome-keyring | kwalletmanager
Section: comm
Priority: optional
Description: Schedule and cancel calls with the Esendex Voice Broadcast API
 Voice Broadcast Desk keeps license keys in the system keyring, schedules test
 calls tagged with a reference ID, cancels scheduled calls by reference ID or
 one at a time, and keeps a history of what was done. Start it with --sandbox
 to practise on the built-in simulator: no real calls are placed.
CONTROL
cat > "$stage/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q /usr/share/applications || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q /usr/share/icons/hicolor || true
exit 0
POSTINST
chmod 755 "$stage/DEBIAN/postinst"
cat > "$stage/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e
if [ "$1" = remove ]; then
  echo "Voice Broadcast Desk was removed. Each user's history, settings and the license keys in their"
  echo "keyring were left in place (~/.local/share/VoiceBroadcastDesk, ~/.config/VoiceBroadcastDesk)."
  echo "/etc/xdg/VoiceBroadcastDesk/site-settings.json is kept until the package is purged."
elif [ "$1" = purge ]; then
  echo "Purged: /etc/xdg/VoiceBroadcastDesk/site-settings.json was removed; user data and keys were kept."
fi
exit 0
POSTRM
chmod 755 "$stage/DEBIAN/postrm"
deb="dist/voice-broadcast-desk_${version}_${arch}.deb"
dpkg-deb --build --root-owner-group -Zxz "$stage" "$deb" >/dev/null

unpacked=$(du -sb "$bundle" | cut -f1)
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1000000 }'; }
printf '%-44s %10s\n' "artifact" "size (MB)"
printf '%-44s %10s\n' "$bundle/ (unpacked)" "$(mb "$unpacked")"
printf '%-44s %10s\n' "$tarball" "$(mb "$(stat -c %s "$tarball")")"
printf '%-44s %10s\n' "$deb" "$(mb "$(stat -c %s "$deb")")"
fail=0
if [ "$unpacked" -gt $((MAX_UNPACKED_MB * 1000000)) ]; then echo "FAIL: unpacked bundle over $MAX_UNPACKED_MB MB"; fail=1; fi
if [ "$(stat -c %s "$tarball")" -gt $((MAX_TARGZ_MB * 1000000)) ]; then echo "FAIL: .tar.gz over $MAX_TARGZ_MB MB"; fail=1; fi
[ $fail -eq 0 ] && echo "size targets met (at most $MAX_UNPACKED_MB MB unpacked, $MAX_TARGZ_MB MB .tar.gz)"
exit $fail
