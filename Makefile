# The two commands a newcomer needs (see README.md). Everything shares one build cache outside the
# clone, so a second checkout or CI on the same machine builds incrementally.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/kiln-target
KILN := $(CARGO_TARGET_DIR)/debug/kiln
SCALE ?= 1

.PHONY: studio test kiln ui

kiln:
	bash .cargo/duckdb-lib.sh
	cargo build -p kiln-cli --bin kiln

ui:
	cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build

# Builds the engine and the UI, generates the TICKIT sample lake, builds the sample project on the
# embedded DuckDB warehouse, then serves Kiln Studio on 127.0.0.1 (open the printed URL; Ctrl-C stops).
# The desktop (Tauri) window will replace the browser tab once it lands.
studio: kiln ui
	@test -f projects/tickit/lake/_manifest.json || $(KILN) demo tickit --scale $(SCALE) --project-dir projects/tickit
	-$(KILN) build --project-dir projects/tickit
	$(KILN) serve --project-dir projects/tickit --ui-dist ui/dist --open

test:
	bash tests/run-all.sh
