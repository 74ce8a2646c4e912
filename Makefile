# The two commands a newcomer needs (see README.md). Everything shares one build cache outside the
# clone, so a second checkout or CI on the same machine builds incrementally.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/kiln-target
KILN := $(CARGO_TARGET_DIR)/debug/kiln
SCALE ?= 1

.PHONY: studio test kiln

kiln:
	bash .cargo/duckdb-lib.sh
	cargo build -p kiln-cli --bin kiln

# Builds the engine, generates the TICKIT sample lake and builds the sample project on the embedded
# DuckDB warehouse. (The desktop studio will open from here once it exists.)
studio: kiln
	@test -f projects/tickit/lake/_manifest.json || $(KILN) demo tickit --scale $(SCALE) --project-dir projects/tickit
	$(KILN) build --project-dir projects/tickit

test:
	bash tests/run-all.sh
