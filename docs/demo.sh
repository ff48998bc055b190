#!/usr/bin/env bash
# The demo behind `make demo`: a throwaway emulator, a token, and the key lifecycle.
set -euo pipefail
echo "metabind demo: the emulator is not built yet" >&2
"${1:-bin/metabind}" --version
