#!/usr/bin/env bash
# Package check, run by .ci/release-check.sh on the snapshot it built in dist/:
#  - checksums.txt covers every archive and package;
#  - the .rpm holds the same files as the .deb (rpm -qlp against dpkg-deb -c);
#  - the Homebrew cask names the binary, every man page and the completions,
#    with the archives' checksums;
#  - as root on Debian: dpkg -i the .deb, then metabind runs from PATH, man finds
#    its pages, bash, zsh and fish find its completions; dpkg --purge leaves
#    nothing behind.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "package-check: $*" >&2; exit 1; }

# Every artefact is in checksums.txt, and every sum matches.
shopt -s nullglob
artefacts=(dist/*.tar.gz dist/*.zip dist/*.deb dist/*.rpm)
[ "${#artefacts[@]}" -ge 10 ] || fail "want 6 archives and 4 packages in dist/, got: ${artefacts[*]}"
for a in "${artefacts[@]}"; do
	grep -q "  $(basename "$a")\$" dist/checksums.txt || fail "checksums.txt does not cover $(basename "$a")"
done
(cd dist && sha256sum --check --quiet checksums.txt) || fail "checksums.txt does not match"
echo "checksums.txt covers ${#artefacts[@]} artefacts"

arch=amd64 rpmarch=x86_64
debs=(dist/metabind_*_"$arch".deb)
rpms=(dist/metabind-*."$rpmarch".rpm)
[ "${#debs[@]}" -eq 1 ] || fail "want one $arch .deb, got: ${debs[*]}"
[ "${#rpms[@]}" -eq 1 ] || fail "want one $rpmarch .rpm, got: ${rpms[*]}"
deb=${debs[0]} rpm=${rpms[0]}

# Regular files only (directories differ in how each format records them).
deb_files=$(dpkg-deb -c "$deb" | awk '$1 ~ /^-/ {sub(/^\./, "", $6); print $6}' | sort)
want=(
	/usr/bin/metabind
	/usr/share/man/man1/metabind.1.gz
	/usr/share/man/man1/metabind-keys-create.1.gz
	/usr/share/bash-completion/completions/metabind
	/usr/share/zsh/vendor-completions/_metabind
	/usr/share/fish/vendor_completions.d/metabind.fish
	/usr/share/doc/metabind/copyright
)
for f in "${want[@]}"; do
	grep -qx "$f" <<<"$deb_files" || fail "$deb lacks $f"
done
man_pages=$(ls docs/man/*.1 | wc -l)
[ "$(grep -c '^/usr/share/man/man1/.*\.1\.gz$' <<<"$deb_files")" -eq "$man_pages" ] || fail "$deb does not hold all $man_pages man pages"
if command -v rpm >/dev/null; then
	rpm_files=$(rpm -qlvp "$rpm" 2>/dev/null | awk '$1 ~ /^-/ {print $NF}' | sort)
	if [ "$rpm_files" != "$deb_files" ]; then
		diff <(echo "$deb_files") <(echo "$rpm_files") >&2 || true
		fail "$rpm and $deb hold different files (above: < deb, > rpm)"
	fi
	echo "$(basename "$rpm") and $(basename "$deb") hold the same $(wc -l <<<"$deb_files") files"
else
	[ "${MB_REQUIRE_REAL_ENV:-}" != 1 ] || fail "rpm is not installed (apt-get install rpm)"
	echo "package-check: rpm is not installed: the .rpm's file list is not compared" >&2
fi

# The Homebrew cask: generated, not published.
cask=dist/homebrew/Casks/metabind.rb
[ -s "$cask" ] || fail "no Homebrew cask at $cask"
grep -q 'binary "metabind"' "$cask" || fail "$cask does not install the metabind binary"
for p in docs/man/*.1; do
	grep -q "manpage \"$p\"" "$cask" || fail "$cask does not install $p (add it to homebrew_casks.manpages)"
done
for s in bash zsh fish; do
	grep -q "${s}_completion \"completions/metabind.$s\"" "$cask" || fail "$cask does not install the $s completion"
done
for a in dist/metabind_*_darwin_*.tar.gz dist/metabind_*_linux_*.tar.gz; do
	sum=$(awk -v f="$(basename "$a")" '$2 == f {print $1}' dist/checksums.txt)
	grep -q "sha256 \"$sum\"" "$cask" || fail "$cask does not carry the checksum of $(basename "$a")"
	grep -q "/$(basename "$a")\"" "$cask" || fail "$cask does not download $(basename "$a")"
done
echo "$cask: binary, $man_pages man pages, 3 completions, 4 archives"

# Install, use and purge the .deb (root on a Debian-like system only).
if [ "$(id -u)" != 0 ] || ! command -v dpkg >/dev/null || [ "$(dpkg --print-architecture)" != "$arch" ]; then
	[ "${MB_REQUIRE_REAL_ENV:-}" != 1 ] || fail "installing the .deb needs root on Debian $arch"
	echo "package-check: not root on Debian $arch: the .deb is not installed" >&2
	exit 0
fi
if dpkg -s metabind >/dev/null 2>&1; then
	fail "a metabind package is already installed; remove it first (dpkg --purge metabind)"
fi
purge() { dpkg --purge metabind >/dev/null 2>&1 || true; }
trap purge EXIT
dpkg -i "$deb" >/dev/null
[ "$(command -v metabind)" = /usr/bin/metabind ] || fail "metabind on PATH is $(command -v metabind), not /usr/bin/metabind"
(cd / && env -i PATH=/usr/bin:/bin metabind version) | grep -q '^metabind ' || fail "metabind version from PATH"
page=$(man -w metabind-keys-create) || fail "man -w metabind-keys-create finds nothing"
[ "$page" = /usr/share/man/man1/metabind-keys-create.1.gz ] || fail "man -w metabind-keys-create: $page"
bash --norc --noprofile -c 'source /usr/share/bash-completion/bash_completion && _completion_loader metabind; complete -p metabind' |
	grep -q '__start_metabind' || fail "bash-completion does not load the metabind completion"
if command -v zsh >/dev/null; then
	zsh -fc 'print -rl -- $fpath' | grep -qx /usr/share/zsh/vendor-completions || fail "/usr/share/zsh/vendor-completions is not on zsh's fpath"
fi
if command -v fish >/dev/null; then
	HOME=$(mktemp -d) fish --no-config -c 'complete -C "metabind vers"' | grep -q '^version' || fail "fish does not find the metabind completion"
fi
echo "dpkg -i $(basename "$deb"): metabind version, man -w, bash/zsh/fish completions: ok"
dpkg --purge metabind >/dev/null
trap - EXIT
! dpkg -s metabind >/dev/null 2>&1 || fail "metabind is still installed after dpkg --purge"
while read -r f; do
	[ ! -e "$f" ] || fail "$f remains after dpkg --purge"
done <<<"$deb_files"
for d in /usr/share/doc/metabind; do [ ! -e "$d" ] || fail "$d remains after dpkg --purge"; done
echo "dpkg --purge metabind: nothing remains"
