# The two commands a newcomer needs (see README.md). Everything shares one build cache outside the
# clone, so a second checkout or CI on the same machine builds incrementally.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/kiln-target
KILN := $(CARGO_TARGET_DIR)/debug/kiln
SCALE ?= 1
# The project `make studio` opens: `make studio PROJECT=projects/sensors` (then `kiln demo sensors`
# in another terminal) or `PROJECT=projects/logistics`.
PROJECT ?= projects/tickit

.PHONY: studio studio-web project tickit desktop desktop-deps test kiln ui bindings

# kiln embeds the built UI (crates/kiln-serve/build.rs), so the UI is built first. `--workspace`
# resolves features as `make test` does, so the two share every compiled crate; `-p kiln-cli`
# alone would resolve them anew and recompile a good part of the dependencies.
kiln: ui
	bash .cargo/duckdb-lib.sh
	cargo build --workspace --bin kiln

# Regenerates ui/src/api/generated/ (wire types, operation table, event types, error codes) from
# the Rust side; `cargo test -p kiln-api` only compares, and fails until the result is committed.
bindings:
	bash .cargo/duckdb-lib.sh
	cargo run -p kiln-api --example export-bindings

ui:
	cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build

# Builds the engine and the UI, generates the TICKIT sample lake and builds the sample project on
# the embedded DuckDB warehouse.
tickit: kiln
	@test -f projects/tickit/lake/_manifest.json || $(KILN) demo tickit --scale $(SCALE) --project-dir projects/tickit
	-$(KILN) build --project-dir projects/tickit

# Builds $(PROJECT) (TICKIT with its lake, or a streaming sample, whose first build creates its
# streams and tables so producers have somewhere to land).
project: $(if $(filter projects/tickit,$(PROJECT)),tickit,kiln)
	$(if $(filter projects/tickit,$(PROJECT)),,-$(KILN) build --project-dir $(PROJECT))

# Kiln Studio on $(PROJECT) (TICKIT by default): the desktop window (Tauri, src-tauri/) when there
# is a display, else the browser. Either way it owns the project's warehouse and streams until closed.
studio: project
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "make studio: no display (DISPLAY and WAYLAND_DISPLAY are unset), so Kiln Studio opens in the browser."; \
	  exec $(KILN) serve --project-dir $(PROJECT) --open; \
	elif ! $(MAKE) --no-print-directory desktop; then \
	  echo "make studio: the desktop window could not be built (see above), so Kiln Studio opens in the browser."; \
	  exec $(KILN) serve --project-dir $(PROJECT) --open; \
	else \
	  echo "make studio: opening the Kiln Studio desktop window on display $${WAYLAND_DISPLAY:-$$DISPLAY} (make studio-web for the browser)."; \
	  exec $(CARGO_TARGET_DIR)/debug/kiln-studio --project-dir $(PROJECT); \
	fi

# The same studio in the browser: serves it on 127.0.0.1 (open the printed URL; Ctrl-C stops).
studio-web: project
	$(KILN) serve --project-dir $(PROJECT) --open

# Debian packages the desktop window builds and runs against; installed when missing.
desktop-deps:
	bash .ci/system-deps.sh desktop

# kiln-studio embeds ui/dist when it compiles, so build the UI first (make ui).
desktop: desktop-deps
	bash .cargo/duckdb-lib.sh
	cargo build --workspace --bin kiln-studio

# Every check; python's duckdb is installed for kiln-sql's semantic tests, which fail without it.
test:
	bash tests/run-all.sh
