#!/usr/bin/env bash
# Release check: validates .goreleaser.yaml with the pinned GoReleaser, makes a
# snapshot build of this platform's binary the way a release would, and runs it.
# The first run compiles GoReleaser from the module proxy (a few minutes); later
# runs reuse the Go build cache.
set -euo pipefail
cd "$(dirname "$0")/.."

GORELEASER=github.com/goreleaser/goreleaser/v2@v2.15.1

goreleaser() { go run "$GORELEASER" "$@"; }

trap 'rm -rf dist' EXIT

echo "== goreleaser check ($GORELEASER)"
goreleaser check

echo "== goreleaser build --snapshot --clean --single-target"
goreleaser build --snapshot --clean --single-target

bin=$(find dist -type f \( -name metabind -o -name metabind.exe \) -print -quit)
if [ -z "$bin" ]; then
	echo "release-check: goreleaser built no metabind binary under dist/" >&2
	exit 1
fi

echo "== $bin --version"
out=$("$bin" --version)
echo "$out"
case "$out" in
"metabind "*) ;;
*)
	echo "release-check: --version does not start with \"metabind \"" >&2
	exit 1
	;;
esac
if [ "$("$bin" version)" != "$out" ]; then
	echo "release-check: \`metabind version\` and \`metabind --version\` differ" >&2
	exit 1
fi
# GoReleaser reads the commit from git only when the checkout has a remote (a
# clone does); then the binary must carry it.
if [ -n "$(git remote)" ]; then
	head=$(git rev-parse HEAD)
	if ! grep -qx "commit: $head" <<<"$out"; then
		echo "release-check: the binary does not report commit $head" >&2
		exit 1
	fi
fi
echo "release-check: ok"
