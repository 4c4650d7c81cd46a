#!/usr/bin/env bash
# Whole-process timings for the DESIGN budgets, with hyperfine (apt-get install hyperfine):
#   portlint ports 22                        <= 5 ms
#   a 200-line file                          <= 10 ms
#   100,000 rules end to end, JSON out       <= 1 s, <= 10x the input in memory
# Usage: benches/whole-process.sh   (builds the release binary; needs ../shared for the rulesets)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/portlint
data=target/bench-data
[ -f "$data/rules-100000.nft" ] || python3 ../shared/bench/gen-rulesets.py "$data" 1000 10000 100000
head -n 200 "$data/rules-1000.nft" > "$data/rules-200-lines.nft"
printf '\t}\n}\n' >> "$data/rules-200-lines.nft"

hyperfine --warmup 5 --runs 50 -N "$bin ports 22"
hyperfine --warmup 3 --runs 30 -N -i "$bin --format json $data/rules-200-lines.nft"
hyperfine --warmup 1 --runs 10 -i "$bin --format json $data/rules-100000.nft > /dev/null"
hyperfine --warmup 1 --runs 10 -i "$bin --format json $data/rules-100000.nft > $data/out.json"
echo "input: $(stat -c %s "$data/rules-100000.nft") bytes"
/usr/bin/time -f "max RSS: %M KB, wall: %e s" "$bin" --format json "$data/rules-100000.nft" > /dev/null || true
