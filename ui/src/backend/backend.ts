import { ErrorCode, type DiagnosticDto, type EngineEvent, type OperationMap } from "../api";

/**
 * Every engine operation with its request and response type is `OperationMap`, generated from
 * kiln-api's dispatch list; both transports derive their behaviour from it.
 */
export type { OperationMap };

export type Operation = keyof OperationMap;
export type RequestOf<Op extends Operation> = OperationMap[Op][0];
export type ResponseOf<Op extends Operation> = OperationMap[Op][1];

export type ConnectionState = "connecting" | "connected" | "disconnected";

export interface Backend {
  /** Which transport is in use; shown in the status bar. */
  readonly kind: "http" | "tauri";
  call<Op extends Operation>(operation: Op, request: RequestOf<Op>): Promise<ResponseOf<Op>>;
  /** Subscribes to the engine event stream; returns the unsubscribe function. */
  subscribe(listener: (event: EngineEvent) => void): () => void;
  /** Reports whether the event stream is live, so the UI can say so instead of going quiet. */
  subscribeConnection(listener: (state: ConnectionState) => void): () => void;
  /**
   * Where the browser fetches an export made with `download: true`; null where exports are
   * written to a path instead (the desktop window runs on the user's own disk).
   */
  downloadUrl(id: string): string | null;
}

/** Conflict code the engine uses when a file changed on disk since the version we edited. */
export const FILE_CONFLICT_CODE = ErrorCode.WriteConflict;

/** An engine failure carrying the engine's own diagnostic, so the UI can show code, location and hint. */
export class BackendError extends Error {
  readonly diagnostic: DiagnosticDto;
  readonly operation: string;

  constructor(operation: string, diagnostic: DiagnosticDto) {
    super(diagnostic.message);
    this.name = "BackendError";
    this.operation = operation;
    this.diagnostic = diagnostic;
  }

  get code(): string {
    return this.diagnostic.code;
  }
}

/** Tauri command names are the operation names in snake_case (`openProject` → `open_project`). */
export function commandName(operation: string): string {
  return operation.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * Normalises whatever a transport rejected with into a DiagnosticDto: the HTTP adapter sends
 * `{ error: {...} }`, Tauri rejects with the serialized error itself, and network failures are
 * plain exceptions or strings.
 */
export function diagnosticFromUnknown(value: unknown, fallbackCode: string = ErrorCode.UiUnreadableError): DiagnosticDto {
  const base: DiagnosticDto = {
    code: fallbackCode,
    severity: "error",
    message: "The engine returned an error without a message.",
    file: null,
    line: null,
    column: null,
    hint: null,
  };
  if (typeof value === "string") {
    return { ...base, message: value };
  }
  if (value instanceof Error) {
    return { ...base, message: value.message };
  }
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record.error && typeof record.error === "object") {
      return diagnosticFromUnknown(record.error, fallbackCode);
    }
    if (typeof record.error === "string") {
      return { ...base, message: record.error };
    }
    return {
      code: typeof record.code === "string" ? record.code : base.code,
      severity: record.severity === "warning" ? "warning" : "error",
      message: typeof record.message === "string" ? record.message : base.message,
      file: typeof record.file === "string" ? record.file : null,
      line: typeof record.line === "number" ? record.line : null,
      column: typeof record.column === "number" ? record.column : null,
      hint: typeof record.hint === "string" ? record.hint : null,
    };
  }
  return base;
}

/** A small listener set shared by the transports. */
export class ListenerSet<T> {
  private readonly listeners = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        // One broken subscriber must not starve the others of events.
        console.error("Kiln event listener failed", error);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}

declare global {
  interface Window {
    __TAURI_INTERNALS__?: unknown;
  }
}

/**
 * Picks the transport at startup: inside the Tauri webview we use IPC, otherwise HTTP against the
 * `kiln serve` that served this page. There is deliberately no in-memory engine: the app only ever
 * talks to a real one, so what you see is what the engine does.
 */
export async function createBackend(location: Location = window.location): Promise<Backend> {
  if (typeof window !== "undefined" && window.__TAURI_INTERNALS__ !== undefined) {
    const { TauriBackend } = await import("./tauri");
    return TauriBackend.create();
  }
  const { HttpBackend, tokenFromLocation } = await import("./http");
  return new HttpBackend({ baseUrl: location.origin, token: tokenFromLocation(location) });
}
