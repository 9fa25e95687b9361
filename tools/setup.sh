#!/usr/bin/env bash
# Installs what flowpol needs to build (and, with `test`, to test), each piece only when it is
# missing or at another version. Safe to run again and again.
#   bash tools/setup.sh build   # Rust wasm32 target, trunk, wasm-bindgen-cli, wasm-opt
#   bash tools/setup.sh test    # the above, plus Chromium, chromedriver, faketime, playwright-core,
#                               # tools/.venv with kubernetes-validate and PyYAML, chDB, and
#                               # the nightly toolchain with cargo-fuzz for the fuzz smoke
#   bash tools/setup.sh clickhouse  # only chDB, in tools/clickhouse/.venv (for
#                               # tools/clickhouse/aggregate)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FLOWPOL_ROOT"
what="${1:-test}"

TRUNK_VERSION=0.21.14
CARGO_FUZZ_VERSION=0.13.2
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
# tools/validate_policies.py's Python packages, with what kubernetes-validate pulls in, all pinned.
PY_REQUIREMENTS="kubernetes-validate==1.37.0 PyYAML==6.0.4
  jsonschema==4.26.0 jsonschema-specifications==2025.9.1 referencing==0.37.0 rpds-py==2026.9.1
  attrs==26.1.0 importlib_resources==7.1.0 packaging==26.4 typing_extensions==4.16.0"
# chDB (ClickHouse in process) for tools/clickhouse/aggregate and its test, with what it pulls in,
# all pinned, in a venv of its own.
CHDB_REQUIREMENTS="chdb==4.4.0 chdb-core==26.9.0 numpy==2.4.6 pandas==3.1.1 pyarrow==26.0.1
  python-dateutil==4.0.0 tzdata==2026.6"
# A lighter profile than the tools' own fat LTO: minutes faster on two cores.
export CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16

say() { echo "setup: $*"; }

# tools/clickhouse/.venv with chDB; made anew when the pins above change.
install_chdb() {
  local venv=tools/clickhouse/.venv
  if [ "$(cat "$venv/.flowpol-requirements" 2>/dev/null)" != "$CHDB_REQUIREMENTS" ] ||
     ! "$venv/bin/python" -c 'import chdb' 2>/dev/null; then
    say "installing $venv: chDB"
    if python3 -m venv --clear "$venv"; then
      "$venv/bin/python" -m pip install -q --disable-pip-version-check $CHDB_REQUIREMENTS
    else  # a Python without ensurepip: a bare venv, filled by the outer pip
      python3 -m venv --clear --without-pip "$venv"
      python3 -m pip --python "$venv/bin/python" install -q --disable-pip-version-check $CHDB_REQUIREMENTS
    fi
    echo "$CHDB_REQUIREMENTS" > "$venv/.flowpol-requirements"
  fi
}

if [ "$what" = clickhouse ]; then
  command -v python3 >/dev/null || { say "python3 is needed for chDB"; exit 1; }
  install_chdb
  say "ready"
  exit 0
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION"
  cargo install --locked trunk --version "=$TRUNK_VERSION"
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (the version in Cargo.lock)"
  cargo install --locked wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" ||
    cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

# wasm-opt (npm binaryen), playwright-core and @playwright/test, from the committed lockfile.
stamp="tools/node_modules/.flowpol-lock.sha256"
lock_sum=$(sha256sum tools/package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
  say "installing npm tools from tools/package-lock.json"
  (cd tools && npm ci --no-audit --no-fund)
  echo "$lock_sum" > "$stamp"
fi

command -v python3 >/dev/null || { say "python3 is needed by the build's CSP hook"; exit 1; }

if [ "$what" = test ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing Debian's chromium and chromium-driver"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
  fi
  # faketime (libfaketime): tools/test.sh reruns the date-sensitive tests a year ahead.
  if ! command -v faketime >/dev/null; then
    say "installing Debian's faketime"
    apt-cache show faketime >/dev/null 2>&1 || apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime; }
  fi
  rustup component list --installed | grep -q '^clippy' || rustup component add clippy
  rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt

  # The fuzz targets (fuzz/): libFuzzer through cargo-fuzz needs a nightly toolchain.
  if ! rustup toolchain list | grep -q '^nightly'; then
    say "installing the nightly toolchain (for cargo-fuzz)"
    rustup toolchain install nightly --profile minimal
  fi
  if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
    say "installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install --locked cargo-fuzz --version "=$CARGO_FUZZ_VERSION"
  fi

  # tools/.venv for tools/validate_policies.py; made anew when the pins above change.
  venv_stamp="tools/.venv/.flowpol-requirements"
  if [ "$(cat "$venv_stamp" 2>/dev/null)" != "$PY_REQUIREMENTS" ] ||
     ! tools/.venv/bin/python -c 'import kubernetes_validate, yaml' 2>/dev/null; then
    say "installing tools/.venv: kubernetes-validate and PyYAML"
    if python3 -m venv --clear tools/.venv; then
      tools/.venv/bin/python -m pip install -q --disable-pip-version-check $PY_REQUIREMENTS
    else  # a Python without ensurepip: a bare venv, filled by the outer pip
      python3 -m venv --clear --without-pip tools/.venv
      python3 -m pip --python tools/.venv/bin/python install -q --disable-pip-version-check $PY_REQUIREMENTS
    fi
    echo "$PY_REQUIREMENTS" > "$venv_stamp"
  fi
  install_chdb
fi
say "ready"
