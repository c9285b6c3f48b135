#!/usr/bin/env bash
# Runs a command with p14e-emulator on a free loopback port, exporting its base URL as
# KEYWARD_EMULATOR (e.g. http://127.0.0.1:40123). Emulator options come from $EMULATOR_ARGS.
#   tests/with-emulator.sh cargo test ...
set -euo pipefail
bin="${EMULATOR_BIN:-target/debug/p14e-emulator}"
# shellcheck disable=SC2086
coproc EMU { exec "$bin" --port 0 ${EMULATOR_ARGS:-}; }
emu_pid=$EMU_PID
trap 'kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true' EXIT
# The first line the emulator prints is its address; reading it waits for the listener.
IFS= read -r first <&"${EMU[0]}"
base=$(sed -n 's|^p14e-emulator listening on \(http://[^ ]*\)/$|\1|p' <<<"$first")
if [ -z "$base" ]; then
  echo "with-emulator: the emulator did not start: $first" >&2
  exit 1
fi
export KEYWARD_EMULATOR="$base"
"$@"
