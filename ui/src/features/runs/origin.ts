import type { RunOrigin } from "../../api";

const CLIENT_KEY = "kiln.client.v1";

interface SessionLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function randomId(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto?.getRandomValues?.(bytes);
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return hex === "0000000000000000" ? Math.random().toString(16).slice(2) : hex;
}

/**
 * This window's id, sent with every run it starts so that other windows can tell the run came
 * from elsewhere. Kept in sessionStorage: a reload is the same window, a new tab is another.
 */
export function windowClientId(session: SessionLike | null): string {
  try {
    const known = session?.getItem(CLIENT_KEY);
    if (known) return known;
    const id = randomId();
    session?.setItem(CLIENT_KEY, id);
    return id;
  } catch {
    return randomId();
  }
}

/** Where a run came from, said from this window's side; null for this window's own runs. */
export function describeOrigin(origin: RunOrigin | null | undefined, clientId: string): string | null {
  if (!origin) return null;
  if (origin.kind === "cli") return "from the CLI";
  return origin.client === clientId ? null : "from another window";
}

/** A longer form for tooltips. */
export function originDetail(origin: RunOrigin | null | undefined, clientId: string): string {
  if (!origin) return "";
  if (origin.kind === "cli") return `Started by \`kiln\` on the command line (process ${origin.pid})`;
  return origin.client === clientId ? "Started from this window" : "Started from another studio window";
}
