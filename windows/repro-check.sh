#!/usr/bin/env bash
# Checks that make windows is reproducible: builds the last commit twice,
# from two copies at different paths, the second with an empty Go build
# cache (so that every package is compiled again, cgo and all, not taken
# from the first build), and requires the same bytes for every file.
# Uncommitted changes are not built: it checks the commit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
GO=${GO:-go}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
export TOOLS=$root/bin/tools
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
a=$tmp/a
b=$tmp/somewhere/else/b
mkdir -p "$a" "$b"
git archive HEAD | tar -x -C "$a"
git archive HEAD | tar -x -C "$b"
echo "repro-check: first build"
"$a/windows/build.sh" "$tmp/out-a" >/dev/null
echo "repro-check: second build, in another folder, with an empty build cache"
GOCACHE=$tmp/gocache "$b/windows/build.sh" "$tmp/out-b" >/dev/null
if cmp -s "$tmp/out-a/SHA256SUMS" "$tmp/out-b/SHA256SUMS"; then
	echo "repro-check: the same bytes:"
	cat "$tmp/out-a/SHA256SUMS"
else
	echo "repro-check: the builds differ:"
	diff "$tmp/out-a/SHA256SUMS" "$tmp/out-b/SHA256SUMS" || true
	exit 1
fi
