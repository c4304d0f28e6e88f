#!/usr/bin/env bash
# Validates every scenario file in the repository against `simbench schema`
# with a standard validator, Python's `jsonschema` (draft 2020-12):
# scenarios/, validation/, benches/peers/ and benches/scale/ (the fuzz
# corpus, the docs' examples and rejected samples are checked by
# tests/it/schema.rs, which runs the same validator).
#
#   scripts/check-schema.sh
#
# Uses python3's jsonschema if it imports; otherwise installs jsonschema
# from PyPI into a virtual environment under target/check-schema/venv.
# Writes the schemas to target/check-schema/.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --locked --release --quiet
bin=target/release/simbench
out=target/check-schema
mkdir -p "$out"
"$bin" schema >"$out/scenario.schema.json"
"$bin" schema --profile >"$out/profile.schema.json"

python=python3
if ! "$python" -c 'import jsonschema' 2>/dev/null; then
  if [ ! -x "$out/venv/bin/python" ]; then
    python3 -m venv "$out/venv"
    "$out/venv/bin/python" -m pip install --quiet 'jsonschema==4.26.0'
  fi
  python="$out/venv/bin/python"
fi

shopt -s nullglob
files=(scenarios/*.json validation/*.json benches/peers/*.json benches/scale/*.json)
"$python" scripts/validate-schema.py "$out/scenario.schema.json" --valid "${files[@]}"
# The profile schema is checked against the draft's meta-schema.
"$python" scripts/validate-schema.py "$out/profile.schema.json"
