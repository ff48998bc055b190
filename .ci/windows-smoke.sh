#!/usr/bin/env bash
# Windows smoke test under Wine (Debian: apt-get install wine64): the
# windows/amd64 build through version, emulator start on loopback, auth login
# --with-token (Credential Manager, or the credentials-file fallback), keys
# create/list/revoke, auth logout, with the configuration under %AppData%.
# Run it with `make windows-smoke`; docs/reliability.md records how it fares.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "windows-smoke: $*" >&2; exit 1; }
# Debian's wine64 package puts wine64 in /usr/lib/wine (the wine package adds
# the wrapper on PATH).
wine=$(command -v wine64 || true)
[ -n "$wine" ] || [ ! -x /usr/lib/wine/wine64 ] || wine=/usr/lib/wine/wine64
[ -n "$wine" ] || fail "needs wine64 (Debian: apt-get install wine64)"
wineserver=$(command -v wineserver || echo "$(dirname "$wine")/wineserver")

tmp=$(mktemp -d)
emu_pid=""
cleanup() {
	if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
	WINEPREFIX="$tmp/prefix" "$wineserver" -k 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "== build windows/amd64"
GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go build -trimpath -o "$tmp/metabind.exe" ./cmd/metabind

export WINEPREFIX="$tmp/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
unset MB_TOKEN MB_CONFIG_DIR MB_NO_KEYRING MB_ORG MB_PROJECT MB_OUTPUT MB_PROFILE MB_API_KEY DISPLAY
export NO_COLOR=1
echo "== wineboot (a fresh prefix)"
timeout 300 "$wine" wineboot --init >/dev/null 2>&1 || fail "wineboot failed"

cd "$tmp"
mb() { timeout 60 "$wine" ./metabind.exe "$@"; }

echo "== version"
mb version | tee version.out
grep -q '^metabind ' version.out || fail "version"

echo "== emulator start on loopback"
timeout 300 "$wine" ./metabind.exe emulator start --addr 127.0.0.1:0 --db emulator.db --seed --ready-file ready >emulator.log 2>&1 &
emu_pid=$!
for _ in $(seq 1 300); do [ -s ready ] && break; sleep 0.1; done
[ -s ready ] || { cat emulator.log >&2; fail "the emulator did not start"; }
MB_API_URL=$(tr -d '\r\n' <ready)
export MB_API_URL
case "$MB_API_URL" in http://127.0.0.1:*) ;; *) fail "emulator URL $MB_API_URL is not loopback" ;; esac
echo "listening on $MB_API_URL"

echo "== auth login --with-token"
mb emulator token --db emulator.db --org acme 2>/dev/null | tr -d '\r' >token || true
# The token can also come from the running server's database lock: mint it
# with the server stopped if the lock refuses a second reader.
[ -s token ] || fail "emulator token printed nothing"
mb auth login --with-token <token 2>&1 | tee login.out
mb auth status | tee status.out
grep -Eq 'Source: +(system keyring|file )' status.out || fail "auth status does not say where the token is"

echo "== configuration under %AppData%"
mb use --org acme --project web
appdata="$WINEPREFIX/drive_c/users/$(id -un)/AppData/Roaming/metabind"
[ -f "$appdata/config.yaml" ] || { find "$WINEPREFIX/drive_c/users" -name 'config.yaml' >&2; fail "no config.yaml in $appdata"; }
grep -q acme "$appdata/config.yaml" || fail "$appdata/config.yaml lacks the org"
if grep -q 'system keyring' status.out; then
	! grep -rqF "$(cat token)" "$appdata" || fail "the token is in a file under %AppData% although it went to Credential Manager"
fi

echo "== keys create, list, revoke"
key=$(mb keys create --name "smoke test" -q | tr -d '\r')
[ "${#key}" -ge 20 ] || fail "keys create -q printed no key"
mb keys list -o json | tr -d '\r' | tee list.json | grep -q '"smoke test"' || fail "keys list lacks the new key"
mb keys revoke "smoke test" --yes
mb keys list --status revoked -o json | tr -d '\r' | grep -q '"smoke test"' || fail "the key was not revoked"

echo "== auth logout"
mb auth logout
if mb auth status >/dev/null 2>&1; then fail "auth status succeeds after logout"; fi

echo "windows-smoke: ok"
