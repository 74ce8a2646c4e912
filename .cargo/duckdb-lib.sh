#!/usr/bin/env bash
# Ensures the prebuilt DuckDB static library that .cargo/config.toml links exists, building it once per
# machine (≈30 minutes on two cores) with libduckdb-sys's own bundled build, then links `.duckdb` to it.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.10506.1          # libduckdb-sys version = DuckDB 1.5.6; keep in sync with Cargo.toml
LIB="$HOME/.cache/kiln-duckdb/$VERSION"
if [ ! -f "$LIB/libduckdb_bundled.a" ]; then
  echo "Building DuckDB $VERSION once for this machine (about 30 minutes on two cores)…"
  BUILD="$HOME/.cache/kiln-duckdb/build-$VERSION"
  mkdir -p "$BUILD/src"
  cat > "$BUILD/Cargo.toml" <<TOML
[package]
name = "kiln-duckdb-build"
version = "0.0.0"
edition = "2021"
publish = false
[dependencies]
libduckdb-sys = { version = "=$VERSION", features = ["bundled", "json", "parquet"] }
[profile.dev]
opt-level = 3
debug = false
[workspace]
TOML
  echo "" > "$BUILD/src/lib.rs"
  # Build outside this workspace so its .cargo/config.toml (which points at the library) is not applied.
  (cd "$BUILD" && env -u DUCKDB_LIB_DIR -u DUCKDB_STATIC CARGO_TARGET_DIR="$BUILD/target" cargo build --quiet)
  OUT=$(dirname "$(find "$BUILD/target/debug/build" -name libduckdb.a -path '*libduckdb-sys*' | head -n 1)")
  mkdir -p "$LIB/include"
  cp -r "$OUT/duckdb/src/include/." "$LIB/include/"
  cp "$OUT/libduckdb.a" "$LIB/libduckdb_bundled.a.tmp"
  mv "$LIB/libduckdb_bundled.a.tmp" "$LIB/libduckdb_bundled.a"
fi
# libduckdb-sys links `static=duckdb_static`; the C++ runtime comes from .cargo/config.toml's link-arg.
ln -sfn libduckdb_bundled.a "$LIB/libduckdb_static.a"
ln -sfn "$LIB" .duckdb
