#!/usr/bin/env bash
# Cross-platform check: builds and vets every package (tests included, through
# vet) for the release platforms other than the host's usual linux/amd64, so that
# a change that breaks Windows or macOS is caught before a release.
# Runs every target and exits non-zero if any failed.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(windows/amd64 darwin/arm64 linux/arm64)
failed=()
for target in "${targets[@]}"; do
	goos=${target%/*}
	goarch=${target#*/}
	echo "== GOOS=$goos GOARCH=$goarch go build ./..."
	if ! GOOS=$goos GOARCH=$goarch CGO_ENABLED=0 go build ./...; then
		failed+=("build $target")
	fi
	echo "== GOOS=$goos GOARCH=$goarch go vet ./..."
	if ! GOOS=$goos GOARCH=$goarch CGO_ENABLED=0 go vet ./...; then
		failed+=("vet $target")
	fi
done

if [ ${#failed[@]} -gt 0 ]; then
	echo "cross-check: failed: ${failed[*]}" >&2
	exit 1
fi
echo "cross-check: ok (${targets[*]})"
