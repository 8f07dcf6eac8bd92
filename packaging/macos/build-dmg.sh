#!/usr/bin/env bash
# Build, sign, notarise and package Voice Broadcast Desk for macOS. Run on a Mac with Xcode's
# command-line tools, from the repository root:
#
#   SIGN_ID="Developer ID Application: Example Ltd (TEAMID1234)" NOTARY_PROFILE=vbd-notary \
#     packaging/macos/build-dmg.sh
#
# SIGN_ID: the Developer ID certificate in your login keychain. NOTARY_PROFILE: a profile stored
# once with `xcrun notarytool store-credentials vbd-notary --apple-id ... --team-id ...`.
# Without SIGN_ID the app is signed ad hoc (fine for a local test, not for staff).
#
# Why signing matters here: macOS ties Keychain items to the app's signature and bundle
# identifier (us.esendex.voicebroadcastdesk, set in build.spec). An app that is re-signed with
# another identity, or unsigned, cannot read the keys it saved before and staff would be asked to
# enter them again. Always sign releases with the same Developer ID.
#
# CI (.github/workflows/build-installers.yml) builds and self-tests the app first, then runs this
# with VBD_SKIP_BUILD=1 PY=.venv/bin/python: it signs, checks, self-tests and packages that build.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${VBD_SKIP_BUILD:-}" ]; then
  python3.11 -m venv .venv-mac
  .venv-mac/bin/pip install -q ".[build]"
  PY=.venv-mac/bin/python
  rm -rf build dist
  "$PY" -m PyInstaller --noconfirm build.spec
fi
PY=${PY:-.venv-mac/bin/python}
version=$("$PY" -c 'import desktop_app; print(desktop_app.__version__)')
app="dist/VoiceBroadcastDesk.app"

if [ -n "${SIGN_ID:-}" ]; then
  codesign --force --deep --options runtime --timestamp --sign "$SIGN_ID" "$app"
else
  codesign --force --deep --sign - "$app"
fi
codesign --verify --deep --strict "$app"
"$PY" packaging/ci/check_self_test.py --expect "macOS Keychain" "$app/Contents/MacOS/VoiceBroadcastDesk"

dmg="dist/VoiceBroadcastDesk-$version.dmg"
staging=$(mktemp -d)
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
hdiutil create -volname "Voice Broadcast Desk" -srcfolder "$staging" -ov -format UDZO "$dmg"
rm -rf "$staging"
if [ -n "${SIGN_ID:-}" ]; then
  codesign --sign "$SIGN_ID" --timestamp "$dmg"
  if [ -n "${NOTARY_PROFILE:-}" ]; then
    xcrun notarytool submit "$dmg" --keychain-profile "$NOTARY_PROFILE" --wait
    xcrun stapler staple "$dmg"
  fi
fi
echo "built $dmg"
