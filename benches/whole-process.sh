#!/usr/bin/env bash
# Whole-process timings for the DESIGN budgets, with hyperfine (apt-get install hyperfine):
#   portlint ports 22                        <= 5 ms
#   a 200-line file                          <= 10 ms
#   100,000 rules end to end, JSON out       <= 1 s, <= 10x the input in memory
# and the same for the iptables-save form, with nft -c and iptables-restore --test for scale.
# Usage: benches/whole-process.sh   (builds the release binary; needs ../shared for the rulesets)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/portlint
data=target/bench-data
[ -f "$data/rules-100000.nft" ] && [ -f "$data/rules-100000.iptables" ] || python3 ../shared/bench/gen-rulesets.py "$data" 1000 10000 100000
head -n 200 "$data/rules-1000.nft" > "$data/rules-200-lines.nft"
printf '\t}\n}\n' >> "$data/rules-200-lines.nft"

hyperfine --warmup 5 --runs 50 -N "$bin ports 22"
hyperfine --warmup 3 --runs 30 -N -i "$bin --format json $data/rules-200-lines.nft"
hyperfine --warmup 1 --runs 10 -i "$bin --format json $data/rules-100000.nft > /dev/null"
hyperfine --warmup 1 --runs 10 -i "$bin --format json $data/rules-100000.nft > $data/out.json"
echo "input: $(stat -c %s "$data/rules-100000.nft") bytes"
/usr/bin/time -f "max RSS: %M KB, wall: %e s" "$bin" --format json "$data/rules-100000.nft" > /dev/null || true

# The same for the iptables-save form of the same rules (rules-100000.iptables).
hyperfine --warmup 1 --runs 10 -i "$bin --format json $data/rules-100000.iptables > /dev/null"
echo "input: $(stat -c %s "$data/rules-100000.iptables") bytes"
/usr/bin/time -f "max RSS: %M KB, wall: %e s" "$bin" --format json "$data/rules-100000.iptables" > /dev/null || true

# For scale, the real tools on the same files, each in a private network namespace (never the
# host's firewall); skipped where they or unshare are missing.
if unshare -n true 2>/dev/null; then
  if command -v nft >/dev/null; then
    hyperfine --runs 3 -i "unshare -n nft -c -f $data/rules-10000.nft"
  fi
  if command -v iptables-restore >/dev/null; then
    hyperfine --runs 3 -i "unshare -n iptables-restore --test $data/rules-100000.iptables"
  fi
fi
