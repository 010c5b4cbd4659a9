#!/usr/bin/env bash
# no_std proof of the I/O layers: qod-client and qod-embassy built for the MCU targets, with and without defmt, and
# the embassy adapter without DNS on an IP medium; then the client-size stub linked for both targets.
# Called by .ci/run ("no_std builds"). Targets come from scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
for t in thumbv7em-none-eabihf thumbv6m-none-eabi; do
  cargo build -q --locked -p qod-client --target "$t"
  cargo build -q --locked -p qod-client --features defmt --target "$t"
  cargo build -q --locked -p qod-embassy --target "$t"
  cargo build -q --locked -p qod-embassy --features defmt --target "$t"
  cargo build -q --locked -p qod-embassy --no-default-features --features proto-ipv4,medium-ip --target "$t"
  echo "cross-check: qod-client, qod-embassy ok for $t (with and without defmt)"
done
bash examples/client-size/size-report.sh thumbv7em-none-eabihf
bash examples/client-size/size-report.sh thumbv6m-none-eabi
