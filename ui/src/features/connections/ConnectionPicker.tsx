import { useCallback, useEffect, useState } from "react";
import type { ConnectionDto } from "../../api";
import { useStudioInstance } from "../../app/useStudio";
import { Icon } from "../../shared/ui";
import { ConnectionDialog } from "./ConnectionDialog";
import { useConnection } from "./selection";
import "./connections.css";

/**
 * The console header's connection picker (Query Editor v2's): the profile's targets and the
 * saved connections; New… and Edit open the dialog, × deletes a saved one (and its password).
 */
export function ConnectionPicker({ root }: { root: string }) {
  const studio = useStudioInstance();
  const [picked, pick] = useConnection(root);
  const [connections, setConnections] = useState<ConnectionDto[]>([]);
  const [dialog, setDialog] = useState<{ editing: ConnectionDto | null } | null>(null);

  const load = useCallback(async () => {
    try {
      setConnections((await studio.backend.call("connections", {})).connections);
    } catch (error) {
      studio.reportError("Could not list the connections", error);
    }
  }, [studio]);

  useEffect(() => {
    void load();
  }, [load]);

  const active = connections.find((c) => c.active);
  const current = connections.find((c) => c.id === picked) ?? active ?? null;
  // A pick that no longer exists (deleted elsewhere) falls back to the studio's target.
  useEffect(() => {
    if (picked && connections.length > 0 && !connections.some((c) => c.id === picked)) pick(null);
  }, [picked, connections, pick]);

  const remove = async (connection: ConnectionDto) => {
    if (!window.confirm(`Delete the saved connection "${connection.name}" and its password from the keyring?`)) return;
    try {
      await studio.backend.call("deleteConnection", { id: connection.id });
      pick(null);
      studio.toast("success", `Deleted connection ${connection.name}.`);
      await load();
    } catch (error) {
      studio.reportError(`Could not delete ${connection.name}`, error);
    }
  };

  const profile = connections.filter((c) => c.source === "profile");
  const saved = connections.filter((c) => c.source === "saved");
  return (
    <div className="connection-picker">
      <Icon name="database" size={14} />
      <select
        className="input input-sm"
        aria-label="Connection"
        data-testid="connection-picker"
        value={current?.id ?? ""}
        title={current ? `${current.name} (${current.kind})` : "Connection"}
        onChange={(event) => pick(event.target.value === active?.id ? null : event.target.value)}
      >
        {profile.length > 0 && (
          <optgroup label="Profile targets">
            {profile.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} · {c.kind}
                {c.active ? " (project)" : ""}
              </option>
            ))}
          </optgroup>
        )}
        {saved.length > 0 && (
          <optgroup label="Saved connections">
            {saved.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} · {c.kind}
                {c.hasPassword || c.spec?.method === "data_api" ? "" : " (no password)"}
              </option>
            ))}
          </optgroup>
        )}
      </select>
      {current?.source === "saved" && (
        <>
          <button type="button" className="icon-button" title={`Edit ${current.name}`} aria-label="Edit connection" onClick={() => setDialog({ editing: current })}>
            <Icon name="edit" size={13} />
          </button>
          <button type="button" className="icon-button" title={`Delete ${current.name}`} aria-label="Delete connection" data-testid="connection-delete" onClick={() => void remove(current)}>
            <Icon name="close" size={13} />
          </button>
        </>
      )}
      <button type="button" className="icon-button" title="New connection…" aria-label="New connection" data-testid="connection-new" onClick={() => setDialog({ editing: null })}>
        <Icon name="plus" size={14} />
      </button>
      {dialog && (
        <ConnectionDialog
          editing={dialog.editing}
          onClose={() => setDialog(null)}
          onSaved={(connection) => {
            setDialog(null);
            void load().then(() => pick(connection.id));
            studio.toast("success", `Saved connection ${connection.name}.`, "Its password is in the OS keyring.");
          }}
        />
      )}
    </div>
  );
}
