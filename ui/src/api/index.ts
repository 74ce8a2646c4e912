// The one place the UI imports wire types from: the ts-rs output of kiln-api, so the UI and the
// engine cannot drift apart. Regenerate with `cargo test -p kiln-api export_bindings`.
export type * from "./generated";
