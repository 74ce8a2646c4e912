#!/usr/bin/env bash
# Makes the DuckDB library that .cargo/config.toml links (through `.duckdb`, a git-ignored symlink)
# exist, once per machine, in $HOME/.cache/kiln-duckdb:
#
#   KILN_DUCKDB=prebuilt (default) DuckDB's official libduckdb.so — the C API with JSON, Parquet and
#                        ICU built in — from the @duckdb/node-bindings-linux-x64 package on npm,
#                        checked against a pinned SHA-256; seconds instead of half an hour.
#   KILN_DUCKDB=source             the same version compiled from source by libduckdb-sys's bundled
#                        build into a static libduckdb.a (~30 minutes on two cores), for machines
#                        without npm or without an official build for their platform.
#
# Binaries find a prebuilt libduckdb.so at run time through their rpath ($ORIGIN, $ORIGIN/.. and
# $ORIGIN/../lib, see .cargo/config.toml), so it is copied beside them in the Cargo target folder.
#
# `--print-python-version` prints the DuckDB version (for python's duckdb package) and exits.
set -euo pipefail
cd "$(dirname "$0")/.."

# One place for the version: the `duckdb` crate pinned in Cargo.toml (1.MMmmpp is DuckDB M.m.p).
CRATE=$(sed -n 's/^duckdb = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
if [[ ! "$CRATE" =~ ^1\.([0-9]+)\.[0-9]+$ ]]; then
  echo "duckdb-lib.sh: cannot read the pinned duckdb version from Cargo.toml (got '$CRATE')" >&2
  exit 2
fi
code=${BASH_REMATCH[1]}
DUCKDB="$((10#${code:0:${#code}-4})).$((10#${code: -4:2})).$((10#${code: -2}))"
if [ "${1:-}" = "--print-python-version" ]; then
  echo "$DUCKDB"
  exit 0
fi

# The official build of exactly that DuckDB version, and the SHA-256 of its npm tarball.
NPM_PACKAGE=@duckdb/node-bindings-linux-x64
NPM_VERSION=1.5.6-r.1
NPM_SHA256=1b9f82478539bb9a1d1df44bd103121a12ae52142c07158dc52b97d2ec1d69ff
if [ "${NPM_VERSION%%-*}" != "$DUCKDB" ]; then
  echo "duckdb-lib.sh: Cargo.toml pins DuckDB $DUCKDB but the prebuilt package is $NPM_VERSION;" \
    "update NPM_VERSION and NPM_SHA256 here together with the crate" >&2
  exit 2
fi

CACHE="$HOME/.cache/kiln-duckdb"
MODE="${KILN_DUCKDB:-prebuilt}"
if [ "$MODE" = prebuilt ] && { [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ] || ! command -v npm >/dev/null; }; then
  echo "duckdb-lib.sh: no official DuckDB build for $(uname -s)-$(uname -m) here (or no npm); building from source"
  MODE=source
fi

case "$MODE" in
prebuilt)
  LIB="$CACHE/prebuilt-$NPM_VERSION"
  if [ ! -f "$LIB/libduckdb.so" ]; then
    echo "Fetching DuckDB $DUCKDB's official library ($NPM_PACKAGE@$NPM_VERSION)…"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent --loglevel=error "$NPM_PACKAGE@$NPM_VERSION" >/dev/null)
    tarball=$(ls "$tmp"/*.tgz)
    got=$(sha256sum "$tarball" | cut -d' ' -f1)
    if [ "$got" != "$NPM_SHA256" ]; then
      echo "duckdb-lib.sh: $NPM_PACKAGE@$NPM_VERSION has SHA-256 $got, expected $NPM_SHA256; not using it" >&2
      exit 2
    fi
    tar -xzf "$tarball" -C "$tmp" package/libduckdb.so package/LICENSE
    mkdir -p "$LIB"
    cp "$tmp/package/LICENSE" "$LIB/LICENSE"
    cp "$tmp/package/libduckdb.so" "$LIB/libduckdb.so.tmp"
    mv "$LIB/libduckdb.so.tmp" "$LIB/libduckdb.so"
  fi
  ;;
source)
  LIB="$CACHE/source-$CRATE"
  if [ ! -f "$LIB/libduckdb.a" ]; then
    echo "Building DuckDB $DUCKDB from source once for this machine (about 30 minutes on two cores)…"
    BUILD="$CACHE/build-$CRATE"
    mkdir -p "$BUILD/src"
    cat >"$BUILD/Cargo.toml" <<TOML
[package]
name = "kiln-duckdb-build"
version = "0.0.0"
edition = "2021"
publish = false
[dependencies]
libduckdb-sys = { version = "=$CRATE", features = ["bundled", "json", "parquet"] }
[profile.dev]
opt-level = 3
debug = false
[workspace]
TOML
    echo "" >"$BUILD/src/lib.rs"
    # Built outside this workspace so its .cargo/config.toml (which points at the library) is not applied.
    (cd "$BUILD" && env -u DUCKDB_LIB_DIR -u DUCKDB_STATIC CARGO_TARGET_DIR="$BUILD/target" cargo build --quiet)
    OUT=$(dirname "$(find "$BUILD/target/debug/build" -name libduckdb.a -path '*libduckdb-sys*' | head -n 1)")
    mkdir -p "$LIB"
    cp "$OUT/libduckdb.a" "$LIB/libduckdb.a.tmp"
    mv "$LIB/libduckdb.a.tmp" "$LIB/libduckdb.a"
  fi
  ;;
*)
  echo "duckdb-lib.sh: KILN_DUCKDB must be 'prebuilt' or 'source', not '$MODE'" >&2
  exit 2
  ;;
esac

# `.duckdb` holds exactly one of libduckdb.so / libduckdb.a, so the linker's `-lduckdb` picks the mode.
if [ "$(readlink .duckdb 2>/dev/null || true)" != "$LIB" ]; then
  had_link=$([ -L .duckdb ] && echo yes || true)
  ln -sfn "$LIB" .duckdb
  # Binaries linked against the other library must be relinked: rebuilding libduckdb-sys does that.
  if [ -n "$had_link" ]; then cargo clean --quiet -p libduckdb-sys 2>/dev/null || true; fi
fi

# The run-time copy beside the binaries (and, through $ORIGIN/.., beside test binaries in deps/).
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/kiln-target}"
for profile in debug release; do
  if [ "$MODE" = prebuilt ]; then
    mkdir -p "$TARGET/$profile"
    cmp -s "$LIB/libduckdb.so" "$TARGET/$profile/libduckdb.so" || cp "$LIB/libduckdb.so" "$TARGET/$profile/libduckdb.so"
  else
    rm -f "$TARGET/$profile/libduckdb.so"
  fi
done
