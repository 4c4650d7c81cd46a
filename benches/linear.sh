#!/usr/bin/env bash
# Whole-process timings for DESIGN's "no input shape is quadratic" budget: a 10 MB single line
# (`nft -j` output), a single nft line with thousands of findings, 100,000 chains with 100,000
# jumps (nft and iptables-save), a 1,000,000-element set and kube-proxy-shaped dumps, each at
# half size and full size: linear means the full size takes about twice as long.
# The inputs come from benches/gen-linear.py (and ../shared/bench/gen-kube-proxy.py when present).
# For scale, nft -c and iptables-restore --test on the same files, in a private network namespace.
# Usage: benches/linear.sh   (builds the release binary; uses hyperfine when installed)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/portlint
data=target/bench-data/linear
[ -d "$data/full" ] || python3 benches/gen-linear.py "$data/full" 1
[ -d "$data/half" ] || python3 benches/gen-linear.py "$data/half" 0.5
kube=../shared/bench/gen-kube-proxy.py
if [ -f "$kube" ]; then
  [ -f "$data/kube-5000.rules" ] || python3 "$kube" 5000 > "$data/kube-5000.rules"
  [ -f "$data/kube-25000.rules" ] || python3 "$kube" 25000 > "$data/kube-25000.rules"
fi

# One whole-process run, concise and human output (the human report draws snippets).
time_one() {
  local format=$1 file=$2
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs 5 -i -N "$bin --format $format $file" --export-json /dev/null |
      grep -E 'Time|Range'
  else
    /usr/bin/time -f "  $format $(basename "$file") ($(stat -c %s "$file") bytes): %e s, max RSS %M KB" \
      "$bin" --format "$format" "$file" > /dev/null || true
  fi
}

for file in "$data"/half/* "$data"/full/* "$data"/kube-*.rules; do
  [ -f "$file" ] || continue
  time_one concise "$file"
done
for file in "$data"/full/oneline-*; do
  time_one human "$file"
done

if unshare -n true 2>/dev/null; then
  for file in "$data"/full/oneline-*.json; do
    command -v nft >/dev/null && /usr/bin/time -f "  nft -j -c $(basename "$file"): %e s" \
      unshare -n nft -j -c -f "$file" || true
  done
  for file in "$data"/full/chains-*.nft "$data"/full/set-*.nft; do
    command -v nft >/dev/null && /usr/bin/time -f "  nft -c $(basename "$file"): %e s" \
      unshare -n nft -c -f "$file" || true
  done
  for file in "$data"/full/chains-*.iptables "$data"/kube-*.rules; do
    [ -f "$file" ] || continue
    command -v iptables-restore >/dev/null &&
      /usr/bin/time -f "  iptables-restore --test $(basename "$file"): %e s" \
        unshare -n iptables-restore --test "$file" || true
  done
fi
