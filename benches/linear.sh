#!/usr/bin/env bash
# Whole-process timings of release builds for DESIGN's "no input shape is quadratic" budget
# (issue 14 item 7). It measures, each at half size and full size (linear means the full size
# takes about twice as long):
#   oneline-*.json      a 10 MB `nft -j` ruleset on one line, every rule a finding
#   oneline-*.nft       a 2 MB nft line with tens of thousands of findings
#   chains-*.nft        100,000 chains and 100,000 jumps to them (nft)
#   chains-*.iptables   the same as an iptables-save dump (9.8 MB)
#   set-*.nft           a set of 1,000,000 elements
#   delete-*.iptables   100,000 chains deleted one by one with `-X`
#   missing-*.iptables  50,000 references to chains the table lacks (PL003 and its did-you-mean)
#   missing-*.nft       the same in nft
#   undefined-*.nft     50,000 defines and 50,000 undefined variables
#   kube-*.rules        kube-proxy-shaped dumps (../shared/bench/gen-kube-proxy.py, when there)
# with concise output, and the oneline files also with human output (the report draws
# snippets). For scale, `nft -c` and `iptables-restore --test` on the files they accept, in a
# private network namespace. The inputs come from benches/gen-linear.py; they are made again
# when it changes.
# Usage: benches/linear.sh   (builds the release binary; uses hyperfine when installed)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/portlint
data=target/bench-data/linear
for size in full:1 half:0.5; do
  dir=$data/${size%%:*}
  if [ ! -f "$dir/.made" ] || [ benches/gen-linear.py -nt "$dir/.made" ]; then
    rm -rf "$dir"
    python3 benches/gen-linear.py "$dir" "${size#*:}"
    touch "$dir/.made"
  fi
done
kube=../shared/bench/gen-kube-proxy.py
if [ -f "$kube" ]; then
  [ -f "$data/kube-5000.rules" ] || python3 "$kube" 5000 > "$data/kube-5000.rules"
  [ -f "$data/kube-25000.rules" ] || python3 "$kube" 25000 > "$data/kube-25000.rules"
fi

# Whole-process runs, concise or human output: min and median of $runs (the machine may be
# shared, so one run says little).
runs=${RUNS:-5}
time_one() {
  local format=$1 file=$2
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs "$runs" -i -N "$bin --format $format $file" --export-json /dev/null |
      grep -E 'Time|Range'
  else
    local times=() rss out
    out=$(mktemp)
    for _ in $(seq "$runs"); do
      /usr/bin/time -o "$out" -f '%e %M' "$bin" --format "$format" "$file" > /dev/null 2>&1 || true
      times+=("$(tail -1 "$out")")
    done
    rm -f "$out"
    rss=$(printf '%s\n' "${times[@]}" | awk '{print $2}' | sort -n | tail -1)
    printf '%s\n' "${times[@]}" | awk '{print $1}' | sort -n | awk -v f="$format" \
      -v name="$(basename "$file")" -v size="$(stat -c %s "$file")" -v rss="$rss" \
      '{t[NR] = $1} END {printf "  %s %s (%d bytes): min %.2f s, median %.2f s of %d, max RSS %d KB\n", f, name, size, t[1], t[int((NR + 1) / 2)], NR, rss}'
  fi
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
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
  for file in "$data"/full/chains-*.iptables "$data"/full/delete-*.iptables "$data"/kube-*.rules; do
    [ -f "$file" ] || continue
    command -v iptables-restore >/dev/null &&
      /usr/bin/time -f "  iptables-restore --test $(basename "$file"): %e s" \
        unshare -n iptables-restore --test "$file" || true
  done
fi
