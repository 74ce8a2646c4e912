// The one place the UI imports wire types from. When ts-rs output lands in ./generated,
// replace the line below with `export * from "./generated";`.
export * from "./types";
