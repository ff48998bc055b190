#!/usr/bin/env bash
# The demo behind `make demo`: start a throwaway emulator (free loopback port,
# database in a temporary directory), mint a token, and run the key lifecycle.
# Nothing outside the temporary directory is touched.
set -euo pipefail

bin=$(cd "$(dirname "${1:-bin/metabind}")" && pwd)/$(basename "${1:-bin/metabind}")
tmp=$(mktemp -d)
emu_pid=""
cleanup() {
	if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

export MB_CONFIG_DIR="$tmp/config" MB_NO_KEYRING=1 NO_COLOR=1
unset MB_TOKEN MB_ORG MB_PROJECT MB_OUTPUT MB_PROFILE MB_API_KEY

# run shows a command as a user types it (metabind, not the mb function; an
# argument with spaces or shell characters in double quotes), then runs it.
run() {
	local shown=metabind a
	for a in "${@:2}"; do
		case $a in
		'' | *[!A-Za-z0-9@%+=:,./_-]*) shown+=" \"${a//\"/\\\"}\"" ;;
		*) shown+=" $a" ;;
		esac
	done
	printf '\n\033[1m$ %s\033[0m\n' "$shown" >&2
	"$@"
}
mb() { "$bin" "$@"; }

"$bin" emulator start --addr 127.0.0.1:0 --db "$tmp/emulator.db" --seed --org acme --project web \
	--ready-file "$tmp/ready" 2>"$tmp/emulator.log" &
emu_pid=$!
for _ in $(seq 1 100); do [ -s "$tmp/ready" ] && break; sleep 0.1; done
if [ ! -s "$tmp/ready" ]; then echo "the emulator did not start:" >&2; cat "$tmp/emulator.log" >&2; exit 1; fi
export MB_API_URL
MB_API_URL=$(cat "$tmp/ready")
echo "emulator listening on $MB_API_URL (database in a temporary directory)" >&2

run mb emulator token --db "$tmp/emulator.db" --org acme --sub demo-user --role admin >"$tmp/token"
run mb auth login --with-token <"$tmp/token"
run mb auth status
run mb use --org acme --project web
run mb keys create --name "iOS Production App"
printf '\n\033[1m$ KEY=$(metabind keys create --name "CI pipeline" -q)\033[0m\n' >&2
KEY=$(mb keys create --name "CI pipeline" -q)
echo "(captured a ${#KEY}-character key)" >&2
run mb keys list
printf '\n\033[1m$ MB_API_KEY=$KEY metabind keys test\033[0m\n' >&2
MB_API_KEY=$KEY mb keys test
run mb keys show "CI pipeline"
run mb keys revoke "CI pipeline" --yes
printf '\n\033[1m$ MB_API_KEY=$KEY metabind keys test   # the revoked key is refused at once (exit 3)\033[0m\n' >&2
set +e
MB_API_KEY=$KEY mb keys test
code=$?
set -e
echo "exit code: $code" >&2
[ "$code" -eq 3 ] || { echo "expected exit 3 for a revoked key" >&2; exit 1; }
run mb keys list --status revoked -o json
echo >&2
echo "Demo finished: the emulator and its temporary database are removed." >&2
