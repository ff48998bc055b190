#!/usr/bin/env bash
# Installs the Debian packages that the real-environment suites need (see
# docs/reliability.md). As root it runs apt-get (update once, then install);
# any failure fails CI. Otherwise it only checks that the programs are there.
set -euo pipefail

packages=(
	gnome-keyring dbus libsecret-tools # the Secret Service suite
	bash-completion zsh fish           # the completion suite
	rpm man-db                         # the package checks
)
programs=(dbus-run-session gnome-keyring-daemon secret-tool dbus-send zsh fish rpm man)

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
missing=()
for p in "${programs[@]}"; do command -v "$p" >/dev/null || missing+=("$p"); done
[ -f /usr/share/bash-completion/bash_completion ] || missing+=(bash-completion)
if [ "${#missing[@]}" -gt 0 ]; then
	echo "apt-install: missing ${missing[*]}; install: apt-get install ${packages[*]}" >&2
	exit 1
fi
echo "apt-install: ${packages[*]}: ok"
