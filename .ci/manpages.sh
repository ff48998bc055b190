#!/usr/bin/env sh
# Gzips the section-1 man pages in docs/man into build/man for the Linux
# packages (gzip -n: no name or time stored, so the packages are reproducible).
set -eu
cd "$(dirname "$0")/.."
rm -rf build/man
mkdir -p build/man
for f in docs/man/*.1; do
	gzip -9 -n -c "$f" >"build/man/$(basename "$f").gz"
done
