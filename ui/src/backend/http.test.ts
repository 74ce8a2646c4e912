import { describe, expect, it } from "vitest";
import { ErrorCode, EVENT_TYPES } from "../api";
import { BackendError, commandName, diagnosticFromUnknown } from "./backend";
import { HttpBackend, parseEngineEvent, tokenFromLocation } from "./http";

class MemoryStorage {
  readonly data = new Map<string, string>();
  get length() {
    return this.data.size;
  }
  clear() {
    this.data.clear();
  }
  key() {
    return null;
  }
  getItem(key: string) {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.data.set(key, value);
  }
  removeItem(key: string) {
    this.data.delete(key);
  }
}

describe("transport helpers", () => {
  it("maps operation names to snake_case Tauri commands", () => {
    expect(commandName("openProject")).toBe("open_project");
    expect(commandName("runStatementAt")).toBe("run_statement_at");
    expect(commandName("graph")).toBe("graph");
  });

  it("normalises the error shapes transports produce", () => {
    expect(diagnosticFromUnknown({ error: { code: "K1006", message: "changed on disk", line: 3 } })).toMatchObject({
      code: "K1006",
      message: "changed on disk",
      line: 3,
      severity: "error",
    });
    expect(diagnosticFromUnknown("boom").message).toBe("boom");
    expect(diagnosticFromUnknown(new Error("net")).message).toBe("net");
  });

  it("reads the token from the URL and remembers it for reloads", () => {
    const storage = new MemoryStorage();
    expect(tokenFromLocation({ search: "?token=abc123" }, storage)).toBe("abc123");
    expect(tokenFromLocation({ search: "" }, storage)).toBe("abc123");
  });

  it("parses known events and drops malformed ones", () => {
    expect(parseEngineEvent('{"type":"fileChanged","paths":["a.sql"]}')).toEqual({ type: "fileChanged", paths: ["a.sql"] });
    const originalWarn = console.warn;
    console.warn = () => undefined;
    try {
      expect(parseEngineEvent('{"type":"nope"}')).toBeNull();
      expect(parseEngineEvent("not json")).toBeNull();
    } finally {
      console.warn = originalWarn;
    }
  });
});

describe("HttpBackend", () => {
  it("posts the request with the token header and returns the JSON body", async () => {
    const seen: Array<{ url: string; init: RequestInit | undefined }> = [];
    const backend = new HttpBackend({
      baseUrl: "http://127.0.0.1:9/",
      token: "secret",
      fetch: (input, init) => {
        seen.push({ url: String(input), init });
        return Promise.resolve(new Response(JSON.stringify({ path: "a.sql", content: "x", version: "1" }), { status: 200 }));
      },
    });
    const file = await backend.call("readFile", { path: "a.sql" });
    expect(file.version).toBe("1");
    expect(seen[0]?.url).toBe("http://127.0.0.1:9/api/readFile");
    expect((seen[0]?.init?.headers as Record<string, string>)["x-kiln-token"]).toBe("secret");
    expect(seen[0]?.init?.body).toBe('{"path":"a.sql"}');
  });

  it("turns error responses into BackendError with the engine diagnostic", async () => {
    const backend = new HttpBackend({
      baseUrl: "",
      token: "t",
      fetch: () =>
        Promise.resolve(
          new Response(JSON.stringify({ error: { code: "K1006", message: "File changed on disk", hint: "Reload it" } }), { status: 409 }),
        ),
    });
    const failure = await backend.call("writeFile", { path: "a", content: "b", expectedVersion: "1" }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BackendError);
    expect((failure as BackendError).code).toBe("K1006");
    expect((failure as BackendError).diagnostic.hint).toBe("Reload it");
  });

  it("explains an unreachable server", async () => {
    const backend = new HttpBackend({ baseUrl: "", token: "t", fetch: () => Promise.reject(new TypeError("Failed to fetch")) });
    const failure = (await backend.call("graph", {}).catch((error: unknown) => error)) as BackendError;
    expect(failure.diagnostic.hint).toContain("kiln serve");
    expect(failure.code).toBe(ErrorCode.UiEngineUnreachable);
  });

  it("reports an HTTP error without a diagnostic under a registered code, with its status", async () => {
    const backend = new HttpBackend({ baseUrl: "", token: "t", fetch: () => Promise.resolve(new Response("Bad gateway", { status: 502 })) });
    const failure = (await backend.call("graph", {}).catch((error: unknown) => error)) as BackendError;
    expect(failure.code).toBe("UI0003");
    expect(failure.diagnostic.message).toBe("HTTP 502: Bad gateway");
  });

  it("accepts every event type the engine declares and drops others", () => {
    for (const type of EVENT_TYPES) expect(parseEngineEvent(JSON.stringify({ type }))?.type).toBe(type);
    expect(parseEngineEvent('{"type":"noSuchEvent"}')).toBeNull();
  });

  it("opens one event stream with the token and fans events out", () => {
    const opened: string[] = [];
    const source = { onmessage: null, onerror: null, onopen: null, close: () => undefined } as {
      onmessage: ((event: MessageEvent<string>) => void) | null;
      onerror: ((event: Event) => void) | null;
      onopen: ((event: Event) => void) | null;
      close(): void;
    };
    const backend = new HttpBackend({
      baseUrl: "http://h",
      token: "a b",
      eventSource: (url) => {
        opened.push(url);
        return source;
      },
    });
    const received: string[] = [];
    const states: string[] = [];
    backend.subscribeConnection((state) => states.push(state));
    backend.subscribe((event) => received.push(event.type));
    backend.subscribe((event) => received.push(`second:${event.type}`));
    source.onopen?.(new Event("open"));
    source.onmessage?.(new MessageEvent("message", { data: '{"type":"log","runId":null,"message":"hi"}' }));
    expect(opened).toEqual(["http://h/api/events?token=a%20b"]);
    expect(received).toEqual(["log", "second:log"]);
    expect(states).toEqual(["disconnected", "connecting", "connected"]);
  });
});
