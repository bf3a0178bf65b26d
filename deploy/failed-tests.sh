#!/usr/bin/env bash
# The tests a `swift test` run's output (the file named) says failed, as one --filter pattern
# ("a|b|c"); empty when it names none. Used by test.sh and sanitizers.sh to run them again alone.
set -euo pipefail
{ grep -aoE '✘ Test [A-Za-z0-9_]+\(' "$1" || true; } | sed -E 's/✘ Test ([A-Za-z0-9_]+)\(/\1/' | sort -u | paste -sd '|'
