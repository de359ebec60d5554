#!/usr/bin/env bash
# toolchain.sh installs the third-party tools quire builds and tests with,
# without root where it can, into an ignored folder of the checkout.
#
#   scripts/toolchain.sh fennel   # prints the path of a Fennel 1.5.3 fennel.lua
#   scripts/toolchain.sh lua51    # prints the path of a lua5.1 interpreter
#
# Nothing here is committed to the repository: packages come from Debian
# through apt, using the machine's own apt sources. Fennel 1.5.3 is pinned by
# the sha256 of the Debian package and of the fennel.lua inside it.
set -euo pipefail

FENNEL_VERSION=1.5.3
FENNEL_DEB_VERSION=1.5.3+dfsg-2
FENNEL_DEB_SHA256=30ac519fd18fca31a78c609223b9d2b28be44e6238f78a9db85a6e501d4a8f42
FENNEL_LUA_SHA256=c6085d011692b8909ebb57088ad0f34da5f720b1d5ade170741335e1737371da
# The first Debian suite that ships fennel 1.5.3, used when the machine's own
# suite lacks it (bookworm does).
FENNEL_SUITE=trixie

here=$(cd "$(dirname "$0")/.." && pwd)
TOOLCHAIN_DIR=${QUIRE_TOOLCHAIN_DIR:-$here/.toolchain}

log() { printf 'toolchain: %s\n' "$*" >&2; }
die() { printf 'toolchain: error: %s\n' "$*" >&2; exit 1; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

own_suite() {
	# shellcheck disable=SC1091
	(. /etc/os-release 2>/dev/null && printf '%s' "${VERSION_CODENAME:-}")
}

# apt_sources SUITE writes, on stdout, deb822 stanzas for the machine's own
# Debian archive (the first non-security source it has) with only the suite
# changed. The archive's address is read from the machine, never written here.
apt_sources() {
	local suite=$1 uri="" signed="" f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# Stanzas are separated by blank lines; take the first whose suites
		# are not the security ones.
		read -r uri signed < <(awk -v RS= '
			/Types:[^\n]*deb/ && $0 !~ /Suites:[^\n]*-security/ {
				u=""; s="";
				n=split($0, lines, "\n");
				for (i=1;i<=n;i++) {
					if (lines[i] ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", lines[i]); split(lines[i], a, " "); u=a[1] }
					if (lines[i] ~ /^Signed-By:/) { sub(/^Signed-By:[ \t]*/, "", lines[i]); s=lines[i] }
				}
				if (u != "") { print u, s; exit }
			}' "$f") || true
		[ -n "$uri" ] && break
	done
	if [ -z "$uri" ]; then
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			read -r uri signed < <(awk '
				$1 == "deb" && $0 !~ /-security/ {
					s=""; i=2;
					if ($2 ~ /^\[/) { for (; i<=NF && $i !~ /\]$/; i++) { if ($i ~ /signed-by=/) { s=$i; sub(/.*signed-by=/, "", s); sub(/\]$/, "", s) } } ; if ($i ~ /signed-by=/) { s=$i; sub(/.*signed-by=/, "", s); sub(/\]$/, "", s) } ; i++ }
					print $i, s; exit
				}' "$f") || true
			[ -n "$uri" ] && break
		done
	fi
	[ -n "$uri" ] || die "no Debian archive found in /etc/apt sources; install fennel $FENNEL_VERSION and lua5.1 by hand, or set QUIRE_FENNEL"
	printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\n' "$uri" "$suite"
	[ -n "$signed" ] && printf 'Signed-By: %s\n' "$signed"
	return 0
}

# apt_download SUITE PKG... downloads the named packages of SUITE into the
# current directory through a private apt state (no root, system untouched).
apt_download() {
	local suite=$1; shift
	command -v apt-get >/dev/null || die "apt-get not found: install fennel $FENNEL_VERSION and lua5.1 by hand, or set QUIRE_FENNEL"
	local state=$TOOLCHAIN_DIR/apt/$suite
	mkdir -p "$state/parts" "$state/lists/partial" "$state/cache/archives/partial"
	apt_sources "$suite" >"$state/parts/quire.sources"
	local opts=(-o "Dir::Etc::sourcelist=/dev/null" -o "Dir::Etc::sourceparts=$state/parts"
		-o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache"
		-o "Debug::NoLocking=1" -o "APT::Sandbox::User=$(id -un)")
	if [ -z "$(ls "$state/lists" 2>/dev/null | grep -v partial)" ]; then
		log "fetching the package index of Debian $suite"
		apt-get -q "${opts[@]}" update >&2 || die "apt-get update for $suite failed"
	fi
	apt-get -q "${opts[@]}" download "$@" >&2
}

fennel_found() {
	local f=$1
	[ -f "$f" ] && grep -q "version = \"$FENNEL_VERSION\"" "$f" 2>/dev/null
}

ensure_fennel() {
	local dest=$TOOLCHAIN_DIR/fennel-$FENNEL_VERSION/fennel.lua
	if [ -n "${QUIRE_FENNEL:-}" ]; then
		[ -f "$QUIRE_FENNEL" ] || die "QUIRE_FENNEL=$QUIRE_FENNEL does not exist"
		printf '%s\n' "$QUIRE_FENNEL"; return
	fi
	if [ -f "$dest" ] && [ "$(sha256_of "$dest")" = "$FENNEL_LUA_SHA256" ]; then
		printf '%s\n' "$dest"; return
	fi
	local f
	for f in /usr/share/lua/*/fennel.lua /usr/local/share/lua/*/fennel.lua; do
		if fennel_found "$f"; then printf '%s\n' "$f"; return; fi
	done
	local work; work=$(mktemp -d); trap 'rm -rf "$work"' RETURN
	local suite; suite=$(own_suite)
	(
		cd "$work"
		if [ -n "$suite" ] && apt_download "$suite" "fennel=$FENNEL_DEB_VERSION" 2>/dev/null; then
			log "fennel $FENNEL_VERSION from Debian $suite"
		else
			log "Debian ${suite:-?} lacks fennel $FENNEL_DEB_VERSION; using $FENNEL_SUITE"
			apt_download "$FENNEL_SUITE" "fennel=$FENNEL_DEB_VERSION" || die "could not download fennel $FENNEL_DEB_VERSION"
		fi
	)
	local deb; deb=$(ls "$work"/fennel_*.deb)
	[ "$(sha256_of "$deb")" = "$FENNEL_DEB_SHA256" ] || die "checksum mismatch for $(basename "$deb"): got $(sha256_of "$deb"), want $FENNEL_DEB_SHA256"
	dpkg-deb -x "$deb" "$work/root"
	local src; src=$(ls "$work"/root/usr/share/lua/*/fennel.lua | head -n1)
	[ "$(sha256_of "$src")" = "$FENNEL_LUA_SHA256" ] || die "checksum mismatch for fennel.lua"
	mkdir -p "$(dirname "$dest")"
	cp "$src" "$dest.tmp" && mv "$dest.tmp" "$dest"
	log "installed $dest"
	printf '%s\n' "$dest"
}

ensure_lua51() {
	local wrapper=$TOOLCHAIN_DIR/bin/lua5.1
	if [ -n "${QUIRE_LUA51:-}" ]; then printf '%s\n' "$QUIRE_LUA51"; return; fi
	if command -v lua5.1 >/dev/null; then command -v lua5.1; return; fi
	if [ -x "$wrapper" ] && "$wrapper" -v >/dev/null 2>&1; then printf '%s\n' "$wrapper"; return; fi
	local suite; suite=$(own_suite)
	[ -n "$suite" ] || die "cannot tell this machine's Debian suite; install lua5.1"
	local work; work=$(mktemp -d); trap 'rm -rf "$work"' RETURN
	(cd "$work" && apt_download "$suite" lua5.1 liblua5.1-0) || die "could not download lua5.1"
	local root=$TOOLCHAIN_DIR/lua5.1
	rm -rf "$root"; mkdir -p "$root" "$TOOLCHAIN_DIR/bin"
	local deb; for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$root"; done
	local libdir; libdir=$(dirname "$(find "$root" -name 'liblua5.1.so.0*' | head -n1)")
	cat >"$wrapper" <<WRAP
#!/bin/sh
LD_LIBRARY_PATH="$libdir\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$root/usr/bin/lua5.1" "\$@"
WRAP
	chmod +x "$wrapper"
	"$wrapper" -v >/dev/null 2>&1 || die "the downloaded lua5.1 does not run"
	log "installed $wrapper"
	printf '%s\n' "$wrapper"
}

case "${1:-}" in
fennel) ensure_fennel ;;
lua51) ensure_lua51 ;;
*) die "usage: $0 fennel|lua51" ;;
esac
