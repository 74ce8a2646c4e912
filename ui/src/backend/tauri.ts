import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { EngineEvent } from "../api";
import {
  BackendError,
  ListenerSet,
  commandName,
  diagnosticFromUnknown,
  type Backend,
  type ConnectionState,
  type Operation,
  type RequestOf,
  type ResponseOf,
} from "./backend";

export const EVENT_CHANNEL = "kiln://event";

/**
 * IPC transport for the desktop window. Each command receives its request object as the single
 * argument named `request`, mirroring `fn open_project(request: OpenProjectRequest)` in src-tauri.
 */
export class TauriBackend implements Backend {
  readonly kind = "tauri" as const;

  downloadUrl(): null {
    return null;
  }
  private readonly events = new ListenerSet<EngineEvent>();
  private readonly connection = new ListenerSet<ConnectionState>();
  private state: ConnectionState = "connecting";

  private constructor() {}

  static async create(): Promise<TauriBackend> {
    const backend = new TauriBackend();
    await listen<EngineEvent>(EVENT_CHANNEL, (event) => backend.events.emit(event.payload));
    backend.state = "connected";
    return backend;
  }

  async call<Op extends Operation>(operation: Op, request: RequestOf<Op>): Promise<ResponseOf<Op>> {
    try {
      return await invoke<ResponseOf<Op>>(commandName(operation), { request: request ?? {} });
    } catch (error) {
      throw new BackendError(operation, diagnosticFromUnknown(error));
    }
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    return this.events.add(listener);
  }

  subscribeConnection(listener: (state: ConnectionState) => void): () => void {
    listener(this.state);
    return this.connection.add(listener);
  }
}
