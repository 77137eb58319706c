#!/usr/bin/env bash
# Measures the figures docs/performance.md reports, on this machine:
#   - dossierctl add of 10,000 cases from NDJSON, unlock included (real KDF)
#   - unlock alone (the KDF), through the CLI
#   - over 100,000 cases (Go benchmarks): opening the vault, search,
#     filtered first page, count, a page deep in the list, statistics, and
#     the app's list after unlocking and search as you type
# Usage: bench/run.sh [RUNS]   (run from the repository root; make bench does)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# One 100,000-case vault for the store and interface benchmarks (kept if
# DOSSIER_BENCH_VAULT names a folder, built once per run otherwise).
export DOSSIER_BENCH_VAULT=${DOSSIER_BENCH_VAULT:-$out/bench-100k}
export DOSSIER_PASSPHRASE="benchmark passphrase 2026"

echo "== machine"
echo "date:   $(date -u +%Y-%m-%dT%H:%MZ)"
echo "cpu:    $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') ($(nproc) cores)"
echo "memory: $(free -h | awk '/Mem:/ {print $2}')"
echo "go:     $(go version | cut -d' ' -f3-)"
echo "load:   $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; other work on the machine skews the figures)"

go build -o bin/dossierctl ./cmd/dossierctl
go run ./bench/gencases -n 10000 > "$out/cases.ndjson"
echo "input:  10,000 cases, $(du -h "$out/cases.ndjson" | cut -f1) of NDJSON"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000000)); }

echo "== dossierctl add of 10,000 cases, unlock included ($runs runs)"
for i in $(seq "$runs"); do
	rm -rf "$out/v"
	bin/dossierctl init --vault "$out/v" --recovery-out "$out/rk$i" >/dev/null
	ms bin/dossierctl add --vault "$out/v" "$out/cases.ndjson"
done | tee "$out/add" | tr '\n' ' '
echo "ms; median $(median < "$out/add") ms"

echo "== unlock through the CLI (list --limit 1 on that vault, $runs runs)"
for i in $(seq "$runs"); do ms bin/dossierctl list --vault "$out/v" --limit 1; done | tee "$out/unlock" | tr '\n' ' '
echo "ms; median $(median < "$out/unlock") ms"

echo "== Go benchmarks (the 100,000-case vault is built once, about a minute)"
go test -run XXX -bench 'Open100k|Search100k|FilteredPage100k|Count100k|DeepPage100k' -benchtime 200x ./store/ | grep -E '^Benchmark'
go test -run XXX -bench 'Stats100k' -benchtime 40x ./store/ | grep -E '^Benchmark'
go test -run XXX -bench 'UI' -benchtime 14x ./ui/ | grep -E '^Benchmark'
go test -run XXX -bench 'AddCases10k' -benchtime 3x ./store/ | grep -E '^Benchmark'
go test -run XXX -bench 'Unlock' -benchtime 5x ./crypto/ | grep -E '^Benchmark'
go test -run XXX -bench "Attach64MiB|Extract64MiB" -benchtime 3x ./store/ | grep -E "^Benchmark"

echo "== evidence: a 1 GiB file, next to sha256sum and cat of the same file (page cache warm)"
head -c $((1 << 30)) /dev/urandom > "$out/big.bin"
cat "$out/big.bin" > /dev/null
echo "cat > /dev/null:   $(ms cat "$out/big.bin") ms"
echo "sha256sum:         $(ms sha256sum "$out/big.bin") ms"
rm -rf "$out/ev"
bin/dossierctl init --vault "$out/ev" --recovery-out "$out/ev.rk" >/dev/null
echo '{"title":"bench"}' | bin/dossierctl add --vault "$out/ev" >/dev/null
/usr/bin/time -f "%e s, peak %M KB" -o "$out/t" bin/dossierctl attach --vault "$out/ev" --recovery-key "$out/ev.rk" DOS-$(date +%Y)-0001 "$out/big.bin" > "$out/att"
echo "dossierctl attach: $(cat "$out/t") (recovery-key unlock, so no scrypt in the peak)"
id=$(cut -d' ' -f1 "$out/att")
/usr/bin/time -f "%e s, peak %M KB" -o "$out/t" bin/dossierctl extract --vault "$out/ev" --recovery-key "$out/ev.rk" "$id" --out "$out/big.out" 2>/dev/null >/dev/null
echo "dossierctl extract: $(cat "$out/t")"
cmp "$out/big.bin" "$out/big.out" && echo "extracted file is byte-identical"
/usr/bin/time -f "%e s, peak %M KB" -o "$out/t" bin/dossierctl list --vault "$out/ev" >/dev/null 2>&1
echo "passphrase unlock alone (list): $(cat "$out/t")"

echo "== bundles: full backup and restore of 10,000 cases with 1 GiB of evidence"
# The age command line, from the Go module proxy, for the baseline.
GOBIN="$out/gobin" go install filippo.io/age/cmd/age@v1.3.2 filippo.io/age/cmd/age-keygen@v1.3.2
rm -rf "$out/bx" "$out/rx"
bin/dossierctl init --vault "$out/bx" --recovery-out "$out/bx.rk" >/dev/null
bin/dossierctl add --vault "$out/bx" --recovery-key "$out/bx.rk" "$out/cases.ndjson" > "$out/ids"
bin/dossierctl attach --vault "$out/bx" --recovery-key "$out/bx.rk" "$(head -1 "$out/ids")" "$out/big.bin" >/dev/null
bin/dossierctl dump --vault "$out/bx" --recovery-key "$out/bx.rk" > "$out/dump-before"
/usr/bin/time -f "%e s, peak %M KB" -o "$out/t" bin/dossierctl export --vault "$out/bx" --recovery-key "$out/bx.rk" --out "$out/b.age" >/dev/null 2>&1
echo "dossierctl export:  $(cat "$out/t"), bundle $(du -h "$out/b.age" | cut -f1) (written, then read back and verified)"
echo "restore passphrase" > "$out/np"
/usr/bin/time -f "%e s, peak %M KB" -o "$out/t" bin/dossierctl restore --bundle "$out/b.age" --recovery-key "$out/bx.rk" --vault "$out/rx" --new-passphrase-file "$out/np" >/dev/null
echo "dossierctl restore: $(cat "$out/t") (the peak includes scrypt's 256 MiB for the new passphrase)"
bin/dossierctl dump --vault "$out/rx" --recovery-key "$out/bx.rk" | cmp - "$out/dump-before" && echo "restored dump is byte-identical"
mkdir -p "$out/plain"
cp "$out/cases.ndjson" "$out/big.bin" "$out/plain/"
recipient=$("$out/gobin/age-keygen" -y "$out/bx.rk")
s=$(date +%s%N)
tar c -C "$out/plain" . | "$out/gobin/age" -r "$recipient" > "$out/t.age"
e=$(date +%s%N)
echo "tar c | age -r:     $(((e - s) / 1000000)) ms (same files: the cases as NDJSON and the 1 GiB file)"
