#!/usr/bin/env bash
# Builds the Python wheel of the simbench binary (maturin, pyproject.toml)
# and checks it as a user would get it:
#
#   scripts/wheel.sh
#
# 1. A venv with maturin from PyPI (the version pinned below) builds
#    target/wheel/dist/simbench_cli-VERSION-py3-none-PLATFORM.whl.
# 2. A second, fresh venv installs that wheel (no index: only the file).
# 3. Its `simbench` runs the README's quick start (`simbench run
#    scenarios/downloads.json --out ...`), and every report file must exist.
# 4. Its `simbench completions bash` is sourced by bash (`complete -p
#    simbench`), and `simbench man` is rendered by `man -l` (man-db; as root
#    it installs Debian's man-db and groff-base if `man` is missing).
#
# Needs python3 with venv, and the Rust toolchain (maturin runs cargo).
set -euo pipefail
cd "$(dirname "$0")/.."

MATURIN_VERSION=1.16.0
work=target/wheel
say() { printf '== %s\n' "$*"; }
fail() { printf 'wheel.sh: %s\n' "$*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"

say "maturin $MATURIN_VERSION in $work/build-venv"
python3 -m venv "$work/build-venv"
"$work/build-venv/bin/pip" install --quiet --disable-pip-version-check "maturin==$MATURIN_VERSION"

say "maturin build --release"
"$work/build-venv/bin/maturin" build --release --out "$work/dist"
wheels=("$work"/dist/simbench_cli-*.whl)
if [ ${#wheels[@]} != 1 ] || [ ! -f "${wheels[0]}" ]; then
  fail "expected one simbench_cli wheel in $work/dist"
fi
wheel=${wheels[0]}
echo "$wheel"
python3 -m zipfile -l "$wheel"

say "a fresh venv installs the wheel"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
simbench=$PWD/$work/venv/bin/simbench
[ -x "$simbench" ] || fail "the wheel installed no $simbench"
(PATH=$PWD/$work/venv/bin:$PATH; [ "$(command -v simbench)" = "$simbench" ]) || fail "simbench on PATH is not the venv's"
"$simbench" --version

say "the README's quick start from the wheel's simbench"
"$simbench" run scenarios/downloads.json --out "$work/reports"
for f in report.json report.md report.html \
  summary.svg summary.png percentiles.svg percentiles.png distribution.svg distribution.png \
  timeline.svg timeline.png flow.svg flow.png; do
  [ -s "$work/reports/downloads/$f" ] || fail "no $work/reports/downloads/$f"
done
ls "$work/reports/downloads"

say "bash completion from the wheel's simbench"
bash --norc --noprofile -c "source <('$simbench' completions bash) && complete -p simbench"

say "man -l renders simbench man"
if ! command -v man >/dev/null; then
  [ "$(id -u)" = 0 ] || fail "man is missing: apt-get install man-db groff-base"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q man-db groff-base
fi
"$simbench" man >"$work/simbench.1"
MANPAGER=cat MANWIDTH=80 man -l "$work/simbench.1" >"$work/simbench.txt" 2>"$work/man.err" ||
  { cat "$work/man.err" >&2; fail "man -l failed"; }
[ ! -s "$work/man.err" ] || { cat "$work/man.err" >&2; fail "man -l warned"; }
head -n 12 "$work/simbench.txt"
for sub in run compare validate sweep plan merge calibrate completions man; do
  grep -q "simbench-$sub(1)" "$work/simbench.txt" || fail "the rendered page lists no simbench-$sub(1)"
done

say "ok: $(basename "$wheel") installs simbench, runs the quick start, completes in bash, has a man page"
