// The one place the UI imports the engine's contract from: kiln-api's generated wire types, its
// operation table (`OperationMap`), the event types (`EVENT_TYPES`) and the error codes
// (`ErrorCode`), so the UI and the engine cannot drift apart. Regenerate with `make bindings`.
export * from "./generated";
