import { useEffect, useMemo, useState } from "react";
import { useStudio } from "../../app/useStudio";
import type { Backend } from "../../backend/backend";
import { cancelPreview, previewStep } from "./api";
import type { CanvasSession } from "./session";
import { acceptedValues, distinctCounts, suggestTests, testCandidates, uniqueColumns, uniqueProbe, valuesProbe, type SuggestedTest } from "./testSuggestions";
import type { Canvas, ColumnProfile, Preview } from "./types";
import { useStepQuery } from "./useStepQuery";

export interface TestSuggestions {
  /** Per column, the tests to offer (absent: none). */
  byColumn: ReadonlyMap<string, SuggestedTest[]>;
  /** Distinct counts the exact queries found (for the header, instead of the estimate). */
  exactDistinct: ReadonlyMap<string, number>;
  /** Per column, the tests its YAML entry already has. */
  existing: ReadonlyMap<string, readonly string[]>;
  /** The model's unique id, for `addColumnTest`; null until the project lists the saved model. */
  nodeId: string | null;
  modelName: string | null;
  /** The exact counts behind `unique` and `accepted_values` are still running. */
  checking: boolean;
  /** Why the exact counts failed (only `not_null` is offered then), or null. */
  error: string | null;
  /** Reads the model's tests again (after one was added). */
  reload: () => void;
}

const NONE: TestSuggestions = { byColumn: new Map(), exactDistinct: new Map(), existing: new Map(), nodeId: null, modelName: null, checking: false, error: null, reload: () => undefined };

/** The model's column tests as its YAML declares them, from the docs operation. */
function useExistingTests(backend: Backend, nodeId: string | null): { existing: Map<string, string[]> | null; reload: () => void } {
  const graph = useStudio((state) => state.graph);
  const [answer, setAnswer] = useState<{ id: string; existing: Map<string, string[]> } | null>(null);
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    if (nodeId === null) return undefined;
    let live = true;
    backend
      .call("docs", { id: nodeId })
      .then((docs) => live && setAnswer({ id: nodeId, existing: new Map(docs.columns.map((column) => [column.name, column.tests])) }))
      // No docs (yet): the model has no YAML entry, so no tests.
      .catch(() => live && setAnswer({ id: nodeId, existing: new Map() }));
    return () => {
      live = false;
    };
    // A new graph (a YAML file written or changed) may carry new tests.
  }, [backend, nodeId, graph, nonce]);
  return { existing: answer && answer.id === nodeId ? answer.existing : null, reload: () => setNonce((value) => value + 1) };
}

/**
 * Tests the output step's profile suggests for a saved model (see `testSuggestions.ts`): the
 * estimates pick candidates, a query through the canvas preview counts them exactly (a probe
 * step reading the output), and tests the YAML already has are left out. `key` names the
 * previewed canvas; null turns suggestions off (unsaved edits, another step selected …).
 */
export function useTestSuggestions(
  session: CanvasSession,
  canvas: Canvas,
  index: number,
  key: string | null,
  preview: Preview | null,
  profiles: readonly ColumnProfile[] | null,
): TestSuggestions {
  const nodes = useStudio((state) => state.graph?.nodes);
  const node = useMemo(() => nodes?.find((entry) => entry.path === session.path && entry.resourceType === "model") ?? null, [nodes, session.path]);
  const nodeId = key !== null ? (node?.id ?? null) : null;
  const backend = session.host.backend;
  const { existing, reload } = useExistingTests(backend, nodeId);
  const rowCount = preview?.rowCount ?? null;
  const candidates = useMemo(() => (preview && profiles ? testCandidates(preview.columns, profiles, rowCount) : []), [preview, profiles, rowCount]);
  const exactKey = nodeId !== null && candidates.length > 0 ? `${key}\n${JSON.stringify(candidates)}` : null;
  const exact = useStepQuery<{ unique: Set<string>; values: Map<string, string[]>; distinct: Map<string, number> }>(
    exactKey,
    async (queryId) => {
      const unique = uniqueProbe(canvas, index, candidates);
      const values = valuesProbe(canvas, index, candidates);
      const uniqueRows = unique ? await previewStep(backend, unique.canvas, unique.step, queryId, 1) : null;
      const valueRows = values ? await previewStep(backend, values.canvas, values.step, queryId, values.limit) : null;
      const found = {
        unique: unique ? uniqueColumns(unique.columns, uniqueRows?.rows[0]) : new Set<string>(),
        values: values ? acceptedValues(values.columns, valueRows?.rows ?? []) : new Map<string, string[]>(),
        distinct: unique ? distinctCounts(unique.columns, uniqueRows?.rows[0]) : new Map<string, number>(),
      };
      // A column with few enough values was listed whole: their number is its distinct count.
      for (const [column, list] of found.values) found.distinct.set(column, list.length);
      return found;
    },
    { delay: 100, cancel: (queryId) => void cancelPreview(backend, queryId).catch(() => undefined) },
  );
  const ready = exact.key === exactKey && !exact.loading;
  const byColumn = useMemo(() => {
    if (nodeId === null || existing === null || rowCount === null || candidates.length === 0) return new Map<string, SuggestedTest[]>();
    // Until (or unless) the exact counts are in, only what the exact null counts support.
    const confirmed = ready && exact.value ? exact.value : { unique: new Set<string>(), values: new Map<string, string[]>() };
    return suggestTests(candidates, rowCount, confirmed.unique, confirmed.values, existing);
  }, [nodeId, existing, rowCount, candidates, ready, exact.value]);
  if (nodeId === null) return NONE;
  return {
    byColumn,
    exactDistinct: ready && exact.value ? exact.value.distinct : new Map(),
    existing: existing ?? new Map(),
    nodeId,
    modelName: node?.name ?? null,
    checking: exactKey !== null && !ready,
    error: ready ? exact.error : null,
    reload,
  };
}
