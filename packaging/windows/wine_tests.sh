#!/usr/bin/env bash
# ./dev windows-tests: the test suite on Windows, under Wine, in the prefix `./dev windows` made
# (build/windows/: its Windows CPython 3.11.9, the icuuc.dll and bcryptprimitives.dll stand-ins).
# The hosted Windows job runs the same suite on a real Windows; docs/packaging.md lists what runs
# here and what is skipped, and why.
#
#   bash packaging/windows/wine_tests.sh [PYTEST ARGS]   (after ./dev windows; default: the whole suite)
#
# Steps: the project with its test extra into the Windows CPython, from a fresh copy of the sources;
# a check that a hung test is ended (a test stuck in a C call that holds the GIL, with a 3 s
# timeout: tests/windows_support.py must print its stacks and end the process); the suite with
# VBD_UNDER_WINE=1 (tests/windows_support.py skips what cannot run under Wine, each with its
# reason) and -m "not needs_keyring_daemon" (as the hosted Windows job). Fails on any failure or
# error, or when the suite ends without its summary line.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
WORK=${VBD_WINE_WORK:-$ROOT/build/windows}
CACHE=$WORK/cache
STEPS_FILE=$WORK/test-steps.txt
# shellcheck source=packaging/windows/wine_session.sh
source packaging/windows/wine_session.sh
WINPY=$WORK/python/python.exe
SRC=$WORK/tests-src

if [ -z "${VBD_WINE_INSIDE:-}" ]; then
  [ -f "$WINPY" ] && [ -f "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ] ||
    fail "no Wine prefix with the Windows CPython in $WORK: run ./dev windows first"
  : > "$STEPS_FILE"
  exec env VBD_WINE_INSIDE=1 xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" bash "$0" "$@"
fi
SECONDS=0
trap 'wineserver -k 2>/dev/null || true' EXIT

# The suite's Windows settings under Wine (Wine hands WINEQT_* to Windows programs as QT_*):
# - Qt's offscreen screen of 1920 x 1080 (tools/offscreen.py) from a file named without a drive
#   letter: conftest's own passes C:\...\screen.json in QT_QPA_PLATFORM, where Qt splits the
#   platform's arguments at every ':' and the QApplication ends the process at once, silently
#   (on any Windows, not only Wine). A value other than plain "offscreen" makes conftest keep it.
# - fonts: the offscreen platform on Windows reads font files from a folder; DejaVu, as on Linux.
# - the embeddable CPython keeps console scripts (actionlint) in python\Scripts, off PATH.
mkdir -p "$WORK/qt"
echo '{"screens": [{"name": "desk", "x": 0, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96}]}' \
  > "$WORK/qt/screen.json"
export WINEQT_QPA_PLATFORM="offscreen:configfile=${WORK}/qt/screen.json"
export WINEQT_QPA_FONTDIR='Z:\usr\share\fonts\truetype\dejavu'
export WINEPATH="$(winpath "$WORK/python/Scripts")"
export VBD_UNDER_WINE=1
# `python -m pytest` puts the current folder on sys.path (conftest imports tests.support, tools.*);
# the embeddable CPython does not (its ._pth file): pytest's pythonpath option does it.
PYTEST_SETUP="-p no:cacheprovider -o pythonpath=."
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || fail "no DejaVu fonts (fonts-dejavu-core)"

step "T1 the project with its test extra (Windows wheels)"
# Qt's network-information plugin for Windows (qnetworklistmanager.dll, COM's NetworkListManager)
# never returns under Wine 8: QNetworkInformation.loadBackendByFeatures, which the Watch page's
# watcher calls when the first main window is built (desktop_app/ui/watcher.py), waits for good
# while it holds the GIL, so pytest-timeout could not end it (the "first Qt-widget test hangs"
# of issue 22). The shipped bundle has no QtNetwork at all (build.spec), so the app takes its
# "no backend: assume online" path there; out of the prefix's PySide6 the tests take it too.
plugins=$WORK/python/Lib/site-packages/PySide6/plugins
if [ -d "$plugins/networkinformation" ]; then
  rm -rf "$WORK/networkinformation-aside"
  mv "$plugins/networkinformation" "$WORK/networkinformation-aside"
fi
wineserver -k 2>/dev/null || true
start_session
rm -rf "$SRC"
mkdir -p "$SRC"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -C "$SRC" -xf -
export PIP_CACHE_DIR=$(winpath "$CACHE/pip-windows")
(cd "$SRC" && win "$WINPY" -m pip install -q --no-warn-script-location --no-build-isolation -e ".[test]")
where=$(cd "$SRC" && win "$WINPY" -c "import desktop_app, pytest, pytestqt, pytest_timeout, tzdata; print(desktop_app.__file__)" | tr -d '\r')
[[ $where == *'tests-src\desktop_app\__init__.py' ]] || fail "desktop_app comes from $where"
passed "editable install from $SRC; pytest, pytest-qt, pytest-timeout; tzdata (the project's Windows time zones)"

step "T2 a hung test is ended (GIL held in a C call)"
cat > "$SRC/tests/test_zz_wine_hang_check.py" <<'PY'
import ctypes


def test_hangs_in_a_c_call_that_holds_the_gil():
    ctypes.PyDLL("kernel32").Sleep(600_000)  # PyDLL: the GIL stays held
PY
start=$SECONDS
set +e
hang_log=$(cd "$SRC" && WIN_TIMEOUT=120 win "$WINPY" -m pytest $PYTEST_SETUP -q --timeout=3 \
  tests/test_zz_wine_hang_check.py)
hang_status=$?
set -e
rm -f "$SRC/tests/test_zz_wine_hang_check.py"
took=$((SECONDS - start))
echo "$hang_log" | tail -n 8
[ "$hang_status" -ne 124 ] && [ "$hang_status" -ne 137 ] || fail "the hung test was not ended (the time limit of this script ended it)"
[ "$hang_status" -ne 0 ] || fail "the hung test's run exited 0"
grep -q "Timeout (0:00:13)" <<<"$hang_log" || fail "no stacks from the hang backstop"
grep -q "test_hangs_in_a_c_call_that_holds_the_gil" <<<"$hang_log" || fail "the stacks do not show the hung test"
passed "ended after ${took} s with exit $hang_status and every thread's stack (pytest-timeout's thread could not)"

step "T3 the test suite under Wine"
log=$WORK/wine-tests.log
set +e
(cd "$SRC" && WIN_TIMEOUT=${VBD_WINE_TESTS_TIMEOUT:-2400} win "$WINPY" -m pytest $PYTEST_SETUP -ra \
  -m "not needs_keyring_daemon" --durations=10 "$@") | sed -u 's/\r$//' | tee "$log"
status=${PIPESTATUS[0]}
set -e
summary=$(grep -E '^=+ .*(passed|failed|error).* in [0-9.]+s' "$log" | tail -n 1 || true)
[ -n "$summary" ] || fail "the suite ended without its summary (exit $status): a crash, or a hang ended by the backstop"
[ "$status" -eq 0 ] || fail "the suite under Wine: $summary"
skipped_under_wine=$(awk -F'[][]' '/^SKIPPED .*under Wine: /{n += $2} END {print n + 0}' "$log")
passed "$(sed -E 's/^=+ //; s/ =+$//' <<<"$summary"); $skipped_under_wine of the skips are Wine's list (reasons above)"

wineserver -k 2>/dev/null || true
echo >&2
say "./dev windows-tests passed in $((SECONDS / 60)) min $((SECONDS % 60)) s; each step and its time:"
cat "$STEPS_FILE" >&2
