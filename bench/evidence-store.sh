#!/usr/bin/env bash
# Times the evidence chunk store (package store/chunks, through
# bench/chunkstore) next to public tools on the same file, taking turns so
# that a drift of the machine's speed touches both sides:
#   put (encrypt, hash, write, fsync)  vs  openssl dgst -sha256,
#                                          age -r to a file, and
#                                          dd conv=fsync (writing the bytes durably, no crypto)
#   get (read, authenticate)           vs  openssl dgst -sha256 and age -d
# Usage: bench/evidence-store.sh [RUNS] [MiB]   (from the repository root)
# Wall seconds and peak memory come from /usr/bin/time; the page cache is
# warm for every command. Note the load average: other work skews it.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
mib=${2:-1024}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== machine"
echo "date:   $(date -u +%Y-%m-%dT%H:%MZ)"
echo "cpu:    $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') ($(nproc) cores)"
echo "go:     $(go version | cut -d' ' -f3-)"
echo "load:   $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) before"

go build -o "$out/chunkstore" ./bench/chunkstore
GOBIN="$out" go install filippo.io/age/cmd/age@v1.3.2 filippo.io/age/cmd/age-keygen@v1.3.2
"$out/age-keygen" -o "$out/id" 2>/dev/null
recipient=$("$out/age-keygen" -y "$out/id")
head -c $((mib << 20)) /dev/urandom > "$out/f"
cat "$out/f" > /dev/null
echo "input:  $mib MiB of random bytes"

# t NAME CMD...: runs CMD once, appends "wall peakKB" to $out/NAME.
t() {
	local name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$out/t" "$@" > /dev/null
	cat "$out/t" >> "$out/$name"
}
"$out/chunkstore" put "$out/s" "$out/f" "$out/ref" # warm-up
"$out/age" -r "$recipient" -o "$out/f.age" "$out/f"
for i in $(seq "$runs"); do
	t put "$out/chunkstore" put "$out/s" "$out/f" "$out/ref"
	rm -rf "$out/s"
	t sha openssl dgst -sha256 "$out/f"
	t age-r "$out/age" -r "$recipient" -o "$out/f.age" "$out/f"
	t dd dd if="$out/f" of="$out/f.dd" bs=1M conv=fsync status=none
	rm -f "$out/f.dd"
done
"$out/chunkstore" put "$out/s" "$out/f" "$out/ref"
for i in $(seq "$runs"); do
	t get "$out/chunkstore" get "$out/s" "$out/ref"
	t sha2 openssl dgst -sha256 "$out/f"
	t age-d "$out/age" -d -i "$out/id" -o /dev/null "$out/f.age"
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
row() { echo "$1: median $(cut -d' ' -f1 "$out/$2" | median) s (runs: $(cut -d' ' -f1 "$out/$2" | tr '\n' ' ')), peak $(cut -d' ' -f2 "$out/$2" | median) KB"; }
echo "== put $mib MiB and its yardsticks ($runs runs each, in turn)"
row "chunkstore put          " put
row "openssl dgst -sha256    " sha
row "age -r (to a file)      " age-r
row "dd conv=fsync           " dd
echo "== get $mib MiB and its yardsticks"
row "chunkstore get          " get
row "openssl dgst -sha256    " sha2
row "age -d (to /dev/null)   " age-d
echo "load:   $(cut -d' ' -f1-3 /proc/loadavg) after"
