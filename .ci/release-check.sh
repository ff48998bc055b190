#!/usr/bin/env bash
# Release check: validates .goreleaser.yaml with the pinned GoReleaser, makes a
# snapshot build of this platform's binary the way a release would, and runs it;
# then a full snapshot release (archives, .deb/.rpm, the Homebrew cask,
# checksums), checked by .ci/package-check.sh.
# The first run compiles GoReleaser from the module proxy (a few minutes); later
# runs reuse the Go build cache.
set -euo pipefail
cd "$(dirname "$0")/.."

GORELEASER=github.com/goreleaser/goreleaser/v2@v2.15.1

goreleaser() { go run "$GORELEASER" "$@"; }

trap 'rm -rf dist build' EXIT

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
echo "== goreleaser release --snapshot --clean --skip=publish (every platform, archives, checksums)"
goreleaser release --snapshot --clean --skip=publish

archives=(dist/metabind_*.tar.gz dist/metabind_*.zip)
echo "archives: ${archives[*]}"
[ "${#archives[@]}" -eq 6 ] || { echo "release-check: want 6 archives, got ${#archives[@]}" >&2; exit 1; }
for a in dist/metabind_*.tar.gz; do
	listing=$(tar -tzf "$a")
	for f in metabind README.md LICENSE completions/metabind.bash completions/metabind.zsh completions/metabind.fish completions/metabind.ps1 docs/man/metabind.1 docs/man/metabind-keys.1; do
		grep -qx "$f" <<<"$listing" || { echo "release-check: $a lacks $f" >&2; exit 1; }
	done
done
[ -s dist/checksums.txt ] || { echo "release-check: no checksums.txt" >&2; exit 1; }
(cd dist && sha256sum --check --quiet checksums.txt)

# The .deb, .rpm and Homebrew cask: contents, checksums, and (as root on
# Debian) install, use and purge.
echo "== packages: .ci/package-check.sh"
bash .ci/package-check.sh

# Run the README's release-archive instructions (its sh block with "tar -xzf")
# against this snapshot's linux/amd64 archive, as a new user would.
if [ "$(go env GOOS)/$(go env GOARCH)" = "linux/amd64" ]; then
	readme_block=$(awk '/^```sh$/{inblock=1; buf=""; next} /^```$/{if (inblock && buf ~ /tar -xzf/) print buf; inblock=0; next} inblock{buf = buf $0 "\n"}' README.md)
	[ -n "$readme_block" ] || { echo "release-check: README.md has no release-archive block" >&2; exit 1; }
	work=$(mktemp -d)
	cp dist/metabind_*_linux_amd64.tar.gz "$work/"
	echo "== README.md release-archive block, in a fresh directory"
	printf '%b\n' "$readme_block"
	(cd "$work" && bash -euo pipefail -c "$(printf '%b' "$readme_block")")
	rm -rf "$work"
fi
echo "release-check: ok"
