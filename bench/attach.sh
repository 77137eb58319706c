#!/usr/bin/env bash
# Times evidence through the vault next to public tools on the same file,
# taking turns so that a drift of the machine's speed touches both sides
# (issue 11's targets: attach and extract of 1 GiB within 1.5x
# `openssl dgst -sha256` of the file, peak memory under 200 MB):
#   dossierctl attach  (hash, encrypt, write, fsync, commit)  vs  openssl dgst -sha256,
#                                                                  dd conv=fsync (writing the bytes durably)
#   dossierctl extract (read, authenticate, hash, write, fsync) vs  openssl dgst -sha256, dd conv=fsync
#   the move at the first unlock of a vault made by the release before the
#   chunk store (commit 4ba18bf, evidence inside the database), through
#   dossierctl list                                             vs  openssl dgst -sha256
# Every dossierctl command unlocks with the recovery key, so no scrypt (256
# MiB by design) is in its time or peak memory.
# Usage: bench/attach.sh [RUNS]   (from the repository root, in a git clone:
# the old release is built from its history). BENCH_LARGE=1 also attaches and
# extracts a 5 GiB file once, for its peak memory, if the disk has room.
# Wall seconds and peak memory (maximum resident set size, as time -v says)
# come from /usr/bin/time; the page cache is warm for every command.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
old=4ba18bf # the release before the chunk store

echo "== machine"
echo "date:   $(date -u +%Y-%m-%dT%H:%MZ)"
echo "cpu:    $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') ($(nproc) cores)"
echo "go:     $(go version | cut -d' ' -f3-)"
echo "$(openssl version)"
echo "disk:   $(df -h "$out" | awk 'NR==2 {print $4 " free on " $1}')"
echo "load:   $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) before"

go build -o "$out/dossierctl" ./cmd/dossierctl
mkdir "$out/old"
git archive "$old" | tar x -C "$out/old"
(cd "$out/old" && go build -o "$out/old-dossierctl" ./cmd/dossierctl)
ctl="$out/dossierctl"
export DOSSIER_PASSPHRASE="benchmark passphrase 2026"

head -c $((1 << 30)) /dev/urandom > "$out/f"
cat "$out/f" > /dev/null
echo "input:  1 GiB of random bytes"

# t NAME CMD...: runs CMD once, appends "wall peakKB" to $out/NAME.
t() {
	local name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$out/t" "$@" > /dev/null 2>&1
	cat "$out/t" >> "$out/$name"
}
# vault DIR RK [CTL]: a new vault holding one case; prints the case's id.
vault() {
	"${3:-$ctl}" init --vault "$1" --recovery-out "$2" > /dev/null
	echo '{"title":"bench"}' | "${3:-$ctl}" add --vault "$1" --recovery-key "$2"
}

case=$(vault "$out/v" "$out/v.rk")
"$ctl" attach --vault "$out/v" --recovery-key "$out/v.rk" "$case" "$out/f" > /dev/null # warm-up
for i in $(seq "$runs"); do
	t attach "$ctl" attach --vault "$out/v" --recovery-key "$out/v.rk" "$case" "$out/f"
	t sha openssl dgst -sha256 "$out/f"
	t dd dd if="$out/f" of="$out/f.dd" bs=1M conv=fsync status=none
	rm -f "$out/f.dd"
done
id=$("$ctl" attach --vault "$out/v" --recovery-key "$out/v.rk" "$case" "$out/f" | cut -d' ' -f1)
for i in $(seq "$runs"); do
	t extract "$ctl" extract --vault "$out/v" --recovery-key "$out/v.rk" "$id" --out "$out/x"
	cmp "$out/f" "$out/x"
	rm -f "$out/x"
	t sha2 openssl dgst -sha256 "$out/f"
	t dd2 dd if="$out/f" of="$out/f.dd" bs=1M conv=fsync status=none
	rm -f "$out/f.dd"
done
rm -rf "$out/v"

# A vault as released before the chunk store, its 1 GiB inside the
# database; each run moves a fresh copy out (the copy is not timed).
lcase=$(vault "$out/legacy" "$out/legacy.rk" "$out/old-dossierctl")
"$out/old-dossierctl" attach --vault "$out/legacy" --recovery-key "$out/legacy.rk" "$lcase" "$out/f" > /dev/null
for i in $(seq "$runs"); do
	cp -r "$out/legacy" "$out/m"
	cat "$out/m/"* > /dev/null
	t move "$ctl" list --vault "$out/m" --recovery-key "$out/legacy.rk"
	rm -rf "$out/m"
	t sha3 openssl dgst -sha256 "$out/f"
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
med() { cut -d' ' -f1 "$out/$1" | median; }
row() { echo "$1: median $(med "$2") s (runs: $(cut -d' ' -f1 "$out/$2" | tr '\n' ' ')), peak $(cut -d' ' -f2 "$out/$2" | sort -n | tail -1) KB"; }
ratio() { awk -v a="$(med "$1")" -v b="$(med "$2")" 'BEGIN {printf "%.2f", a / b}'; }
echo "== attach 1 GiB and its yardsticks ($runs runs each, in turn)"
row "dossierctl attach      " attach
row "openssl dgst -sha256   " sha
row "dd conv=fsync          " dd
echo "attach / openssl dgst: $(ratio attach sha)x; attach / dd conv=fsync: $(ratio attach dd)x; dd / openssl dgst: $(ratio dd sha)x"
echo "== extract 1 GiB and its yardsticks"
row "dossierctl extract     " extract
row "openssl dgst -sha256   " sha2
row "dd conv=fsync          " dd2
echo "extract / openssl dgst: $(ratio extract sha2)x; extract / dd conv=fsync: $(ratio extract dd2)x"
echo "== first unlock of a released vault with 1 GiB of evidence (the move)"
row "dossierctl list        " move
row "openssl dgst -sha256   " sha3
echo "move / openssl dgst: $(ratio move sha3)x"

if [ "${BENCH_LARGE:-}" = 1 ]; then
	# The file, its stored copy and the extracted one, with room to spare.
	free=$(df -k --output=avail "$out" | tail -1)
	if [ "$free" -lt $((20 << 20)) ]; then
		echo "== 5 GiB: skipped, $((free >> 20)) GiB free, 20 GiB wanted"
	else
		head -c $((5 << 30)) /dev/urandom > "$out/f5"
		case=$(vault "$out/v5" "$out/v5.rk")
		/usr/bin/time -f "%e %M" -o "$out/attach5" "$ctl" attach --vault "$out/v5" --recovery-key "$out/v5.rk" "$case" "$out/f5" > "$out/id5"
		id=$(cut -d' ' -f1 "$out/id5")
		t extract5 "$ctl" extract --vault "$out/v5" --recovery-key "$out/v5.rk" "$id" --out "$out/x5"
		cmp "$out/f5" "$out/x5"
		echo "== 5 GiB, once each"
		row "dossierctl attach      " attach5
		row "dossierctl extract     " extract5
	fi
fi
echo "load:   $(cut -d' ' -f1-3 /proc/loadavg) after"
