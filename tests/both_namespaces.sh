#!/usr/bin/env bash
# Runs the test command "$@" twice: first against sandboxes that speak only the CDYNE-era namespace
# (http://ws.cdyne.com/NotifyWS/), then only the Esendex one (the default). Which one the live
# service expects cannot be checked from here (fact sheet 11.1), so the app must work with both.
set -uo pipefail
VBD_SANDBOX_NAMESPACE=cdyne "$@"
cdyne=$?
VBD_SANDBOX_NAMESPACE=esendex "$@"
esendex=$?
if [ "$cdyne" -ne 0 ]; then echo "The suite FAILED against the CDYNE-namespace sandbox (exit $cdyne)." >&2; fi
exit $(( cdyne != 0 ? cdyne : esendex ))
