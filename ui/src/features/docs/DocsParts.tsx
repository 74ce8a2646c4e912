import type { DocsTestDto, ExposureDocsDto } from "../../api";
import { useStudio } from "../../app/useStudio";
import { renderMarkdown } from "./markdown";
import { CHIP_LABELS, chipState } from "./testArguments";

/** A description written in Markdown, rendered safely (HTML escaped, links open outside). */
export function Markdown({ text, className }: { text: string; className?: string }) {
  return <div className={`markdown ${className ?? ""}`} dangerouslySetInnerHTML={{ __html: renderMarkdown(text) }} />;
}

/** A column test, coloured by its last result: the run in progress first, else the graph's. */
export function TestChip({ test }: { test: DocsTestDto }) {
  const live = useStudio((state) => state.liveStatus.get(test.id));
  const saved = useStudio((state) => state.graph?.nodes.find((node) => node.id === test.id)?.status);
  const state = chipState(live ?? saved);
  const title = `${test.name}${test.arguments ? ` (${test.arguments})` : ""}: ${CHIP_LABELS[state]}`;
  return (
    <span className={`test-chip test-chip-${state}`} title={title} data-status={state}>
      {test.name}
    </span>
  );
}

/** What an exposure declares: label, type, maturity, URL and owner. */
export function ExposureDetails({ exposure }: { exposure: ExposureDocsDto }) {
  const url = exposure.url && /^https?:\/\//i.test(exposure.url) ? exposure.url : null;
  return (
    <dl className="exposure-details">
      {exposure.label && (
        <>
          <dt>Label</dt>
          <dd>{exposure.label}</dd>
        </>
      )}
      <dt>Type</dt>
      <dd>{exposure.type || "—"}</dd>
      <dt>Maturity</dt>
      <dd>{exposure.maturity ? <span className={`pill maturity-${exposure.maturity}`}>{exposure.maturity}</span> : "—"}</dd>
      <dt>URL</dt>
      <dd>
        {url ? (
          <a href={url} target="_blank" rel="noopener noreferrer">
            {url}
          </a>
        ) : (
          (exposure.url ?? "—")
        )}
      </dd>
      <dt>Owner</dt>
      <dd>
        {exposure.ownerName ?? (exposure.ownerEmail ? "" : "—")}
        {exposure.ownerEmail && (
          <>
            {exposure.ownerName ? " · " : ""}
            <a href={`mailto:${exposure.ownerEmail}`}>{exposure.ownerEmail}</a>
          </>
        )}
      </dd>
      {exposure.tags.length > 0 && (
        <>
          <dt>Tags</dt>
          <dd>{exposure.tags.join(", ")}</dd>
        </>
      )}
    </dl>
  );
}
