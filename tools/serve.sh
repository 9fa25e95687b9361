#!/usr/bin/env bash
# Builds the app and serves it at http://127.0.0.1:8080/ (installs the build tools first).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$FLOWPOL_ROOT/tools/setup.sh" build
cd "$FLOWPOL_ROOT"
exec trunk serve --release "$@"
