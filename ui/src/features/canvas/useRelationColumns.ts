import { useEffect, useState } from "react";
import { diagnosticFromUnknown } from "../../backend/backend";
import type { CanvasSession } from "./session";
import { relationKey } from "./steps";
import type { Relation } from "./types";

/** The columns of a model, seed, source or step, asked of the engine once per relation. */
export function useRelationColumns(session: CanvasSession, relation: Relation | null): { columns: string[]; loading: boolean; error: string | null } {
  const key = relation && (relation.kind === "source" ? relation.table : relation.name) ? relationKey(relation) : null;
  const [state, setState] = useState<{ key: string | null; columns: string[]; error: string | null }>({ key: null, columns: [], error: null });
  useEffect(() => {
    if (!key || !relation) return undefined;
    let live = true;
    session
      .relationColumns(relation)
      .then((columns) => live && setState({ key, columns: columns.map((column) => column.name), error: null }))
      .catch((error: unknown) => live && setState({ key, columns: [], error: diagnosticFromUnknown(error).message }));
    return () => {
      live = false;
    };
    // The relation is identified by its key.
  }, [session, key]);
  const current = state.key === key && key !== null;
  return { columns: current ? state.columns : [], loading: key !== null && !current, error: current ? state.error : null };
}
