# Sourced by packaging/windows/wine.sh (./dev windows) and wine_tests.sh (./dev windows-tests):
# the Wine environment, running a Windows program, one Wine session per run, and the timed steps.
# Needs WORK (the folder with prefix/, home/, cache/) and STEPS_FILE.

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# -- steps and their times ------------------------------------------------------------------------
step_name="" step_start=0
step() { step_name=$1; step_start=$SECONDS; say "$step_name"; }
passed() {  # passed CHECK: the step's check held; record it with the step's time
  local line
  line=$(printf '%-44s %4d s  %s' "$step_name" $((SECONDS - step_start)) "$1")
  printf '    ok: %s\n' "$1" >&2
  echo "$line" >> "$STEPS_FILE"
}

# -- Wine ---------------------------------------------------------------------------------------------
export WINEPREFIX=$WORK/prefix WINEARCH=win64
export WINEDEBUG=-all                     # quiet
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"  # no Mono or Gecko prompts, no menu entries
export WINEQT_QPA_PLATFORM=offscreen      # Wine hands WINEQT_* to Windows programs as QT_* (and drops QT_*)
export PYTHONUTF8=1
export PIP_DISABLE_PIP_VERSION_CHECK=1
if [[ ${PIP_CERT:-} == /* ]]; then export PIP_CERT="Z:${PIP_CERT//\//\\}"; fi  # this machine's CA file, for the Windows pip

winpath() { printf 'Z:%s' "${1//\//\\}"; }  # Wine maps Z: to /
win() {  # win PROGRAM ARGS...: a Windows program with pipes for its output (a Windows Python under
  # Wine 8 fails at start when stdout or stderr is a regular file), no input, and a time limit.
  local status
  set +e
  HOME=$WORK/home timeout -k 10 "${WIN_TIMEOUT:-900}" wine "$@" </dev/null 2>&1 | cat
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "timed out: $*" >&2
    wineserver -k || true
  fi
  return "$status"
}

start_session() {
  # One Wine session serves the whole run (-p: the server stays up between programs; no pipes of
  # ours, or whoever reads them waits for it). Its desktop process (explorer.exe /desktop) is
  # started now, also without our pipes: otherwise Wine starts it from the first program that needs
  # it, handing it that program's standard handles, and a pipe it holds never reaches its end (a
  # self-test check then waited for good).
  wineserver -p </dev/null >/dev/null 2>&1
  (HOME=$WORK/home wine explorer.exe /desktop </dev/null >/dev/null 2>&1 &)
  for _ in $(seq 60); do pgrep -f 'explorer.exe /desktop' >/dev/null && break; sleep 0.5; done
  pgrep -f 'explorer.exe /desktop' >/dev/null || fail "Wine's desktop process did not start"
}
