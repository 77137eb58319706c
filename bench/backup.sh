#!/usr/bin/env bash
# Times bundles (backup, restore, incremental) next to public tools on the
# same bytes, taking turns so that a drift of the machine's speed touches
# both sides, and gives the ratio run by run:
#   dossierctl export (full backup)    vs  tar c FILES | age -r R > out
#   dossierctl restore of that bundle  vs  age -d -i KEY bundle | tar x
#   dossierctl export --kind incremental of 10 new cases (alone)
#   peak memory (/usr/bin/time) of export and restore
# The vault: 10,000 synthetic cases (bench/gencases) and GiB GiB of
# evidence in 64 files of random bytes (16 MiB each for 1 GiB).
# Usage: bench/backup.sh [RUNS] [GiB]    (from the repository root)
#   BENCH_LARGE=1 also measures 5 GiB (memory, one run), if the disk has
#   room for it (about 20 GiB free: evidence, vault, bundle, restored vault).
#   BENCH_DIR=DIR works in DIR instead of a temporary folder.
# Wall and CPU seconds and peak memory come from /usr/bin/time; the page
# cache is warm for every command. Note the load average: others' work
# skews the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
gib=${2:-1}
out=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$out"
[ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$out"' EXIT

echo "== machine"
echo "date:   $(date -u +%Y-%m-%dT%H:%MZ)"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "cpu:    $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') ($(nproc) cores)"
echo "go:     $(go version | cut -d' ' -f3-)"
echo "disk:   $(df -h "$out" | awk 'NR==2 {print $4 " free"}')"
echo "load:   $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) before"

go build -o "$out/dossierctl" ./cmd/dossierctl
go run ./bench/gencases -n 10000 > "$out/cases.ndjson"
go run ./bench/gencases -n 10 -seed 2 > "$out/ten.ndjson"
if [ -x bin/tools/age ] && [ -x bin/tools/age-keygen ]; then
	age=bin/tools/age keygen=bin/tools/age-keygen
else
	GOBIN="$out" go install filippo.io/age/cmd/age@v1.3.2 filippo.io/age/cmd/age-keygen@v1.3.2
	age=$out/age keygen=$out/age-keygen
fi
ctl=$out/dossierctl
export DOSSIER_PASSPHRASE="benchmark passphrase 2026"

# vault GiB: a vault of 10,000 cases with GiB GiB of evidence in 64 files
# spread over the first 64 cases, the same files in $out/ev-GiB for the
# yardsticks, and its recovery key.
vault() {
	local g=$1 v=$out/v$1 ev=$out/ev$1
	[ -f "$v.ready" ] && return
	rm -rf "$v" "$ev"
	mkdir -p "$ev"
	"$ctl" init --vault "$v" --recovery-out "$v.rk" > /dev/null
	"$ctl" add --vault "$v" --recovery-key "$v.rk" "$out/cases.ndjson" > "$v.ids"
	cp "$out/cases.ndjson" "$ev/cases.ndjson"
	for i in $(seq -w 1 64); do
		head -c $((g << 24)) /dev/urandom > "$ev/e$i.bin"
		"$ctl" attach --vault "$v" --recovery-key "$v.rk" "$(sed -n "${i#0}p" "$v.ids" | cut -d' ' -f1)" "$ev/e$i.bin" > /dev/null
	done
	touch "$v.ready"
	echo "vault:  10,000 cases, $(du -sh "$ev" | cut -f1) of files (evidence and the cases as NDJSON), vault folder $(du -sh "$v" | cut -f1)"
}

# t NAME CMD...: runs CMD once, appends "wall cpu peakKB" to $out/NAME.
t() {
	local name=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$out/t" "$@" > /dev/null 2>> "$out/$name.err"
	awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$out/t" >> "$out/$name"
}
tarage() { tar c -C "$1" . | "$age" -r "$2" > "$3"; }
agetar() { rm -rf "$3" && mkdir -p "$3" && "$age" -d -i "$1" "$2" | tar x -C "$3"; }
export -f tarage agetar
export age

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
col() { cut -d' ' -f"$2" "$out/$1"; }
# row LABEL NAME: median wall, the runs, median CPU, median peak.
row() { printf "%-40s wall %6s s (runs: %s), cpu %6s s, peak %s MB\n" "$1" "$(col "$2" 1 | median)" "$(col "$2" 1 | tr '\n' ' ' | sed 's/ $//')" "$(col "$2" 2 | median)" "$(($(col "$2" 3 | median) / 1024))"; }
# ratio LABEL A B: the median of the run-by-run ratios A/B, wall and CPU.
ratio() {
	printf "%-40s wall %s× (runs: %s), cpu %s×\n" "$1" \
		"$(paste -d' ' "$out/$2" "$out/$3" | awk '{printf "%.2f\n", $1 / $4}' | median)" \
		"$(paste -d' ' "$out/$2" "$out/$3" | awk '{printf "%.2f ", $1 / $4}' | sed 's/ $//')" \
		"$(paste -d' ' "$out/$2" "$out/$3" | awk '{printf "%.2f\n", $2 / $5}' | median)"
}

vault "$gib"
v=$out/v$gib rk=$out/v$gib.rk ev=$out/ev$gib
recipient=$("$keygen" -y "$rk")
echo "restore passphrase 2026" > "$out/np"
cat "$ev"/* > /dev/null

# Warm-up, not counted: the first run of each.
for f in export tarage restore agetar incremental export5 restore5; do : > "$out/$f"; done
rm -rf "$out/b.age" "$out/t.age" "$out/inc.age" "$out/r" "$out/x"
"$ctl" export --vault "$v" --recovery-key "$rk" --out "$out/b.age" > /dev/null 2>&1
bash -c 'tarage "$@"' _ "$ev" "$recipient" "$out/t.age"
rm -f "$out/b.age"
echo "== full backup of $gib GiB, $runs runs each, in turn"
for i in $(seq "$runs"); do
	# A restore gives the vault as it was when its bundle was made (each
	# export then adds to the audit log).
	[ "$i" = "$runs" ] && "$ctl" dump --vault "$v" --recovery-key "$rk" > "$out/dump-before"
	t export "$ctl" export --vault "$v" --recovery-key "$rk" --out "$out/b.age"
	[ "$i" = "$runs" ] || rm -f "$out/b.age"
	t tarage bash -c 'tarage "$@"' _ "$ev" "$recipient" "$out/t.age"
done
echo "bundle: $(du -h "$out/b.age" | cut -f1); tar | age output: $(du -h "$out/t.age" | cut -f1)"

echo "== restore of that bundle, $runs runs each, in turn"
for i in $(seq "$runs"); do
	rm -rf "$out/r"
	t restore "$ctl" restore --bundle "$out/b.age" --recovery-key "$rk" --vault "$out/r" --new-passphrase-file "$out/np"
	t agetar bash -c 'agetar "$@"' _ "$rk" "$out/b.age" "$out/x"
done
"$ctl" dump --vault "$out/r" --recovery-key "$rk" | cmp -s - "$out/dump-before" && echo "restored dump: byte-identical" || echo "restored dump: DIFFERS"
rm -rf "$out/r" "$out/x"

echo "== incremental backup of 10 new cases in the 10,000-case vault, $runs runs"
for i in $(seq "$runs"); do
	"$ctl" add --vault "$v" --recovery-key "$rk" "$out/ten.ndjson" > /dev/null
	rm -f "$out/inc.age"
	t incremental "$ctl" export --vault "$v" --recovery-key "$rk" --kind incremental --out "$out/inc.age"
done
echo "last incremental bundle: $(du -h "$out/inc.age" | cut -f1)"

echo "== results ($gib GiB; the recovery key unlocks, so no scrypt in the peaks)"
row "dossierctl export (full)" export
row "tar c | age -r" tarage
ratio "export / tar c | age -r" export tarage
row "dossierctl restore" restore
row "age -d | tar x" agetar
ratio "restore / age -d | tar x" restore agetar
row "dossierctl export --kind incremental" incremental
echo "load:   $(cut -d' ' -f1-3 /proc/loadavg) after"

if [ "${BENCH_LARGE:-}" = 1 ]; then
	free=$(df -k --output=avail "$out" | tail -1)
	if [ "$free" -lt $((22 << 20)) ]; then
		echo "== 5 GiB: skipped, $((free >> 20)) GiB free, about 22 needed"
		exit 0
	fi
	rm -rf "$out/b.age" "$out/t.age"
	vault 5
	v=$out/v5 rk=$out/v5.rk
	echo "== 5 GiB: memory of one export and one restore"
	t export5 "$ctl" export --vault "$v" --recovery-key "$rk" --out "$out/b5.age"
	rm -rf "$out/r5"
	t restore5 "$ctl" restore --bundle "$out/b5.age" --recovery-key "$rk" --vault "$out/r5" --new-passphrase-file "$out/np"
	row "dossierctl export (full, 5 GiB)" export5
	row "dossierctl restore (5 GiB)" restore5
	rm -rf "$out/r5" "$out/b5.age"
fi
