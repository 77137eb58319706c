#!/usr/bin/env bash
# Cross-builds Dossier for 64-bit Windows with Debian's mingw-w64 and
# packages it: windows/build.sh [OUT] (default bin/windows) writes
#   OUT/dossier.exe, OUT/dossierctl.exe      (icon, version and manifest inside)
#   OUT/dossier-VERSION-windows-amd64.zip    (both, README-windows.txt, licences)
#   OUT/dossier-VERSION-setup.exe            (per-user NSIS installer)
#   OUT/SHA256SUMS
# The same commit, Go toolchain and Debian packages give the same bytes
# (windows/repro-check.sh builds twice and compares). Run it from make
# windows, which installs the Debian packages it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${1:-bin/windows}
mkdir -p "$out"
out=$(cd "$out" && pwd)
GO=${GO:-go}
tools=${TOOLS:-$root/bin/tools}

# Version and name from FyneApp.toml, the one place they are kept.
field() { sed -n "s/^$1 *= *\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" FyneApp.toml | head -n 1; }
version=$(field Version)
build=$(field Build)
[ -n "$version" ] && [ -n "$build" ] || { echo "windows: no Version or Build in FyneApp.toml" >&2; exit 1; }
fileversion=$version.$build

# Every time written into the packages is this one: the last commit's, or
# the one given (a source tarball has no git).
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || echo 315532800)
fi
export SOURCE_DATE_EPOCH TZ=UTC LC_ALL=C

# go-winres (github.com/tc-hib/go-winres) writes the .syso resource that Go
# links into the .exe: the icon (made from assets/icon.png at the sizes
# Windows shows), the version information Explorer shows and a manifest.
# Chosen over akavel/rsrc, which takes only a ready .ico and writes no
# version information, and over fyne package, which runs its own go build
# (without -trimpath or -buildvcs=false, so the bytes depend on the folder
# and the git state) and writes a metadata file into the source tree.
WINRES_VERSION=v0.3.3
if [ "$($GO version -m "$tools/go-winres" 2>/dev/null | awk '$1 == "mod" {print $3}')" != "$WINRES_VERSION" ]; then
	echo "windows: building go-winres $WINRES_VERSION"
	GOBIN=$tools GOOS= GOARCH= CGO_ENABLED=0 $GO install github.com/tc-hib/go-winres@$WINRES_VERSION
fi

work=$(mktemp -d)
sysos=()
cleanup() { rm -rf "$work"; rm -f "${sysos[@]}"; }
trap cleanup EXIT

# resource PACKAGE EXE DESCRIPTION MANIFEST
resource() {
	local syso=$root/cmd/$1/rsrc_windows_amd64.syso
	sysos+=("$syso")
	(cd "$work" && "$tools/go-winres" simply --arch amd64 --out "$1" --manifest "$4" \
		--icon "$root/assets/icon.png" \
		--file-version "$fileversion" --product-version "$fileversion" \
		--product-name Dossier --file-description "$3" --original-filename "$2" \
		--copyright "The Dossier authors")
	mv "$work/$1_windows_amd64.syso" "$syso"
}
resource dossier dossier.exe "Dossier" gui
resource dossierctl dossierctl.exe "Dossier command line" cli

# -trimpath and -buildvcs=false: no build folder and no git state in the
# bytes; -buildid= : no build id made from them; -H=windowsgui: the app
# opens no console window. GOAMD64 and the flags are fixed here so that
# the environment does not change them.
export CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc GOOS=windows GOARCH=amd64 GOAMD64=v1 GOFLAGS=-mod=readonly
export CGO_CFLAGS="-O2 -g0" CGO_LDFLAGS="-Wl,--no-insert-timestamp"
flags=(-trimpath -buildvcs=false)
$GO build "${flags[@]}" -ldflags "-s -w -buildid= -H=windowsgui" -o "$out/dossier.exe" ./cmd/dossier
$GO build "${flags[@]}" -ldflags "-s -w -buildid=" -o "$out/dossierctl.exe" ./cmd/dossierctl
rm -f "${sysos[@]}"

# The licences of every module built in, and Go's own, in a fixed order.
licences() {
	echo "Dossier $version for Windows is built with Go and these libraries; their licences follow."
	echo
	printf '==== Go %s (standard library and runtime)\n\n' "$($GO env GOVERSION)"
	cat "$($GO env GOROOT)/LICENSE"
	$GO list -deps -f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}} {{.Dir}}{{end}}{{end}}' ./cmd/dossier ./cmd/dossierctl |
		sort -u | while read -r path ver dir; do
			files=$(cd "$dir" && ls -d LICENSE* LICENCE* COPYING* NOTICE* 2>/dev/null | sort) || true
			[ -n "$files" ] || { echo "windows: no licence file in $path $ver" >&2; exit 1; }
			for f in $files; do
				printf '\n==== %s %s (%s)\n\n' "$path" "$ver" "$f"
				cat "$dir/$f"
			done
		done
}

pkg=dossier-$version-windows-amd64
stage=$work/$pkg
mkdir -p "$stage"
cp "$out/dossier.exe" "$out/dossierctl.exe" "$stage/"
# Windows line ends, so that any Notepad shows the lines.
sed "s/@VERSION@/$version/g; s/\$/\r/" windows/README-windows.txt > "$stage/README-windows.txt"
licences | sed 's/\r*$/\r/' > "$stage/THIRD-PARTY-LICENSES.txt"
chmod 0755 "$stage" "$stage"/*.exe
chmod 0644 "$stage"/*.txt
find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# zip -X: no owner or extra time fields; -D: no folder entries; the names
# sorted; TZ=UTC since zip stores local time.
rm -f "$out/$pkg.zip"
(cd "$work" && find "$pkg" -type f | sort | zip -X -D -q -9 "$out/$pkg.zip" -@)

# The installer. Its icon is the one in the resource, as a .ico.
"$tools/go-winres" extract --dir "$work/res" "$out/dossier.exe" >/dev/null
ico=$(find "$work/res" -name '*.ico' | sort | head -n 1)
[ -n "$ico" ] || { echo "windows: no icon in dossier.exe's resources" >&2; exit 1; }
cp "$ico" "$stage/dossier.ico"
makensis -V2 -INPUTCHARSET UTF8 -DVERSION="$version" -DFILEVERSION="$fileversion" \
	-DSRC="$stage" -DOUT="$out/dossier-$version-setup.exe" windows/dossier.nsi

(cd "$out" && sha256sum dossier.exe dossierctl.exe "$pkg.zip" "dossier-$version-setup.exe" > SHA256SUMS)
cat "$out/SHA256SUMS"
