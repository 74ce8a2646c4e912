import { useState } from "react";
import type { ConnectionDto, ConnectionSpecDto, DiagnosticDto } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { Button, Modal } from "../../shared/ui";

const SSL_MODES = ["prefer", "disable", "require", "verify-ca", "verify-full"] as const;
const DATA_API_FIELDS: { key: string; label: string; placeholder: string }[] = [
  { key: "workgroup_name", label: "Workgroup (Serverless)", placeholder: "default-workgroup" },
  { key: "cluster_identifier", label: "Cluster identifier (provisioned)", placeholder: "redshift-cluster-1" },
  { key: "region", label: "Region", placeholder: "us-east-1" },
  { key: "secret_arn", label: "Secrets Manager ARN (optional)", placeholder: "arn:aws:secretsmanager:…" },
  { key: "db_user", label: "Database user (provisioned, optional)", placeholder: "awsuser" },
  { key: "aws_profile", label: "AWS profile (optional)", placeholder: "default" },
];

function blankSpec(): ConnectionSpecDto {
  return { name: "", kind: "postgres", host: "", dbname: "", user: "", sslmode: "prefer", dataApi: {} };
}

type Outcome = { ok: true; message: string } | { ok: false; diagnostic: DiagnosticDto };

/**
 * Adds or edits a saved connection. The password goes to the engine once, which keeps it in the
 * OS keyring; it is never shown again (editing leaves it unchanged unless retyped).
 */
export function ConnectionDialog({ editing, onClose, onSaved }: { editing: ConnectionDto | null; onClose: () => void; onSaved: (connection: ConnectionDto) => void }) {
  const studio = useStudioInstance();
  const [spec, setSpec] = useState<ConnectionSpecDto>(() => (editing?.spec ? { ...editing.spec, dataApi: { ...editing.spec.dataApi } } : blankSpec()));
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState<"test" | "save" | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const dataApi = spec.kind === "redshift" && spec.method === "data_api";
  const set = (patch: Partial<ConnectionSpecDto>) => {
    setSpec((current) => ({ ...current, ...patch }));
    setOutcome(null);
  };

  const submit = async (testOnly: boolean) => {
    setBusy(testOnly ? "test" : "save");
    setOutcome(null);
    try {
      const response = await studio.backend.call("saveConnection", {
        connection: spec,
        ...(password ? { password } : {}),
        testOnly,
      });
      if (testOnly) setOutcome({ ok: true, message: response.message });
      else onSaved(response.connection);
    } catch (error) {
      setOutcome({ ok: false, diagnostic: errorDiagnostic(error) });
    } finally {
      setBusy(null);
    }
  };

  const text = (label: string, key: "name" | "host" | "dbname" | "user" | "schema", placeholder: string, testId: string) => (
    <label className="field">
      <span className="field-label">{label}</span>
      <input className="input input-sm" data-testid={testId} value={spec[key] ?? ""} placeholder={placeholder} onChange={(event) => set({ [key]: event.target.value })} />
    </label>
  );

  return (
    <Modal
      title={editing ? `Edit connection ${editing.name}` : "New connection"}
      onClose={onClose}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button data-testid="connection-test" disabled={busy !== null || !spec.name.trim()} onClick={() => void submit(true)}>
            {busy === "test" ? "Testing…" : "Test connection"}
          </Button>
          <Button variant="primary" data-testid="connection-save" disabled={busy !== null || !spec.name.trim()} onClick={() => void submit(false)}>
            {busy === "save" ? "Connecting…" : "Save"}
          </Button>
        </>
      }
    >
      <div className="connection-form" data-testid="connection-dialog">
        <div className="connection-row">
          {text("Name", "name", "analytics", "connection-name")}
          <label className="field">
            <span className="field-label">Type</span>
            <select
              className="input input-sm"
              data-testid="connection-kind"
              value={dataApi ? "redshift-data-api" : spec.kind}
              onChange={(event) => {
                const value = event.target.value;
                set(value === "redshift-data-api" ? { kind: "redshift", method: "data_api" } : { kind: value, method: undefined });
              }}
            >
              <option value="postgres">PostgreSQL</option>
              <option value="redshift">Redshift (user and password)</option>
              <option value="redshift-data-api">Redshift (Data API, AWS credentials)</option>
            </select>
          </label>
        </div>
        {!dataApi && (
          <>
            <div className="connection-row">
              {text("Host", "host", "localhost", "connection-host")}
              <label className="field connection-port">
                <span className="field-label">Port</span>
                <input
                  className="input input-sm"
                  data-testid="connection-port"
                  inputMode="numeric"
                  value={spec.port ?? ""}
                  placeholder={spec.kind === "redshift" ? "5439" : "5432"}
                  onChange={(event) => {
                    const port = Number.parseInt(event.target.value, 10);
                    set({ port: Number.isFinite(port) ? port : undefined });
                  }}
                />
              </label>
            </div>
            <div className="connection-row">
              {text("Database", "dbname", spec.kind === "redshift" ? "dev" : "postgres", "connection-dbname")}
              {text("Schema", "schema", "public", "connection-schema")}
            </div>
            <div className="connection-row">
              {text("User", "user", "analyst", "connection-user")}
              <label className="field">
                <span className="field-label">Password</span>
                <input
                  className="input input-sm"
                  type="password"
                  autoComplete="new-password"
                  data-testid="connection-password"
                  value={password}
                  placeholder={editing?.hasPassword ? "unchanged (in the keyring)" : ""}
                  onChange={(event) => {
                    setPassword(event.target.value);
                    setOutcome(null);
                  }}
                />
              </label>
            </div>
            <label className="field">
              <span className="field-label">SSL mode</span>
              <select className="input input-sm" data-testid="connection-sslmode" value={spec.sslmode ?? "prefer"} onChange={(event) => set({ sslmode: event.target.value })}>
                {SSL_MODES.map((mode) => (
                  <option key={mode} value={mode}>
                    {mode}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        {dataApi && (
          <>
            <div className="connection-row">
              {text("Database", "dbname", "dev", "connection-dbname")}
              {text("Schema", "schema", "public", "connection-schema")}
            </div>
            {DATA_API_FIELDS.map((field) => (
              <label key={field.key} className="field">
                <span className="field-label">{field.label}</span>
                <input
                  className="input input-sm"
                  value={spec.dataApi[field.key] ?? ""}
                  placeholder={field.placeholder}
                  onChange={(event) => set({ dataApi: { ...spec.dataApi, [field.key]: event.target.value } })}
                />
              </label>
            ))}
          </>
        )}
        <p className="muted connection-note">
          {dataApi ? "Signs in with your AWS credentials (environment, ~/.aws, SSO); no password is stored." : "The password is kept in the OS keyring, never in a file."} The
          connection is tested before it is saved.
        </p>
        {outcome?.ok === true && (
          <div className="callout callout-success" data-testid="connection-outcome">
            {outcome.message}
          </div>
        )}
        {outcome?.ok === false && (
          <div className="callout callout-error" data-testid="connection-outcome">
            <strong>
              {outcome.diagnostic.code}: {outcome.diagnostic.message}
            </strong>
            {outcome.diagnostic.hint && <span>{outcome.diagnostic.hint}</span>}
          </div>
        )}
      </div>
    </Modal>
  );
}
