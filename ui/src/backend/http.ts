import { ErrorCode, EVENT_TYPES, type EngineEvent } from "../api";
import {
  BackendError,
  ListenerSet,
  diagnosticFromUnknown,
  type Backend,
  type ConnectionState,
  type Operation,
  type RequestOf,
  type ResponseOf,
} from "./backend";

export const TOKEN_HEADER = "x-kiln-token";
const TOKEN_STORAGE_KEY = "kiln.token";

/**
 * The token arrives once in the URL `kiln serve` prints. It is kept in sessionStorage so that a
 * reload after the app rewrote the URL still authenticates, but never outlives the tab.
 */
export function tokenFromLocation(location: Pick<Location, "search">, storage: Storage | null = safeSessionStorage()): string {
  const fromUrl = new URLSearchParams(location.search).get("token");
  if (fromUrl) {
    storage?.setItem(TOKEN_STORAGE_KEY, fromUrl);
    return fromUrl;
  }
  return storage?.getItem(TOKEN_STORAGE_KEY) ?? "";
}

function safeSessionStorage(): Storage | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    return null;
  }
}

interface EventSourceLike {
  onmessage: ((event: MessageEvent<string>) => void) | null;
  onerror: ((event: Event) => void) | null;
  onopen: ((event: Event) => void) | null;
  close(): void;
}

export interface HttpBackendOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  eventSource?: (url: string) => EventSourceLike;
}

export class HttpBackend implements Backend {
  readonly kind = "http" as const;
  private readonly baseUrl: string;
  private readonly token: string;
  private readonly fetchImpl: typeof fetch;
  private readonly openEventSource: (url: string) => EventSourceLike;
  private readonly events = new ListenerSet<EngineEvent>();
  private readonly connection = new ListenerSet<ConnectionState>();
  private source: EventSourceLike | null = null;
  private state: ConnectionState = "disconnected";

  constructor(options: HttpBackendOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, "");
    this.token = options.token;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.openEventSource = options.eventSource ?? ((url) => new EventSource(url) as EventSourceLike);
  }

  async call<Op extends Operation>(operation: Op, request: RequestOf<Op>): Promise<ResponseOf<Op>> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}/api/${operation}`, {
        method: "POST",
        headers: { "content-type": "application/json", [TOKEN_HEADER]: this.token },
        body: JSON.stringify(request ?? {}),
      });
    } catch (error) {
      throw new BackendError(operation, {
        ...diagnosticFromUnknown(error, ErrorCode.UiEngineUnreachable),
        message: `Could not reach the Kiln engine for "${operation}".`,
        hint: "Is `kiln serve` still running? Restart it and reopen the URL it prints.",
      });
    }
    const text = await response.text();
    let body: unknown = undefined;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (!response.ok) {
      const diagnostic = diagnosticFromUnknown(body, ErrorCode.UiHttpStatus);
      // Without a diagnostic from the engine, the status is all there is to go on.
      if (diagnostic.code === ErrorCode.UiHttpStatus) diagnostic.message = `HTTP ${response.status}: ${diagnostic.message}`;
      if (response.status === 401 || response.status === 403) {
        diagnostic.hint ??= "The page URL must carry the ?token=… that `kiln serve` printed.";
      }
      throw new BackendError(operation, diagnostic);
    }
    return (body ?? {}) as ResponseOf<Op>;
  }

  downloadUrl(id: string): string {
    // A plain link cannot send the token header; the token in the query authenticates it.
    return `${this.baseUrl}/api/download/${encodeURIComponent(id)}?token=${encodeURIComponent(this.token)}`;
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    const unsubscribe = this.events.add(listener);
    this.ensureStream();
    return () => {
      unsubscribe();
      if (this.events.size === 0) {
        this.source?.close();
        this.source = null;
        this.setState("disconnected");
      }
    };
  }

  subscribeConnection(listener: (state: ConnectionState) => void): () => void {
    listener(this.state);
    return this.connection.add(listener);
  }

  private ensureStream(): void {
    if (this.source) return;
    this.setState("connecting");
    const url = `${this.baseUrl}/api/events?token=${encodeURIComponent(this.token)}`;
    const source = this.openEventSource(url);
    source.onopen = () => this.setState("connected");
    // EventSource reconnects by itself; we only surface the state.
    source.onerror = () => this.setState("disconnected");
    source.onmessage = (message) => {
      const event = parseEngineEvent(message.data);
      if (event) this.events.emit(event);
    };
    this.source = source;
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    this.connection.emit(state);
  }
}

/** Generated from the engine's EngineEvent enum, so a new event is never dropped as unknown. */
const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

/** Parses one SSE `data:` payload; unknown or malformed events are dropped with a console note. */
export function parseEngineEvent(data: string): EngineEvent | null {
  try {
    const value: unknown = JSON.parse(data);
    if (value && typeof value === "object" && KNOWN_EVENT_TYPES.has((value as { type?: string }).type ?? "")) {
      return value as EngineEvent;
    }
    console.warn("Ignoring unknown Kiln event", value);
  } catch (error) {
    console.warn("Ignoring malformed Kiln event", data, error);
  }
  return null;
}
