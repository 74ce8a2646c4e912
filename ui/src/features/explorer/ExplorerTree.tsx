import { useMemo, useState } from "react";
import type { FileNode } from "../../api";
import { flattenFiles } from "../../app/studio";
import { useBuffersVersion, useStudio, useStudioInstance } from "../../app/useStudio";
import { fuzzyFilter } from "../../shared/fuzzy";
import { EmptyState, Icon, Spinner } from "../../shared/ui";
import { isDirty } from "../editor/buffers";

export const KIND_LABEL: Record<string, string> = {
  model: "SQL",
  source: "SRC",
  seed: "CSV",
  test: "TST",
  macro: "MAC",
  analysis: "ANL",
  docs: "MD",
  yaml: "YML",
  other: "",
};

export function ExplorerTree() {
  const studio = useStudioInstance();
  const tree = useStudio((state) => state.tree);
  const project = useStudio((state) => state.project);
  const activeTabId = useStudio((state) => state.activeTabId);
  useBuffersVersion();
  const [filter, setFilter] = useState("");
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const filtered = useMemo(
    () => (filter.trim() ? fuzzyFilter(flattenFiles(tree), filter, (file) => file.path, 300).map((entry) => entry.item) : null),
    [tree, filter],
  );

  const toggle = (path: string) => {
    const next = new Set(collapsed);
    if (next.has(path)) next.delete(path);
    else next.add(path);
    setCollapsed(next);
  };

  const activePath = activeTabId?.startsWith("file:") ? activeTabId.slice(5) : null;

  const renderFile = (node: FileNode, depth: number, label = node.name) => {
    const buffer = studio.buffers.get(node.path);
    const dirty = buffer ? isDirty(buffer) : false;
    return (
      <button
        key={node.path}
        type="button"
        className={`tree-row ${activePath === node.path ? "active" : ""}`}
        data-testid="tree-file"
        data-path={node.path}
        style={{ paddingLeft: 8 + depth * 14 }}
        title={node.path}
        onClick={() => void studio.openFile(node.path)}
      >
        <span className={`file-kind kind-${node.kind}`}>{KIND_LABEL[node.kind] ?? ""}</span>
        <span className="tree-label">{label}</span>
        {dirty && <span className="dirty-dot inline" title="Unsaved changes" />}
      </button>
    );
  };

  const renderNode = (node: FileNode, depth: number): React.ReactNode => {
    if (node.kind !== "dir") return renderFile(node, depth);
    const open = !collapsed.has(node.path);
    return (
      <div key={node.path || "/"}>
        <button type="button" className="tree-row tree-dir" style={{ paddingLeft: 8 + depth * 14 }} aria-expanded={open} onClick={() => toggle(node.path)}>
          <Icon name={open ? "chevronDown" : "chevronRight"} size={12} />
          <span className="tree-label">{node.name}</span>
        </button>
        {open && node.children.map((child) => renderNode(child, depth + 1))}
      </div>
    );
  };

  return (
    <div className="panel">
      <div className="panel-header">
        <span className="panel-title">{project?.name ?? "Project"}</span>
        <button type="button" className="icon-button" title="Reload files" aria-label="Reload files" onClick={() => void studio.refreshTree()}>
          <Icon name="refresh" size={14} />
        </button>
      </div>
      <div className="panel-search">
        <input
          className="input input-sm"
          placeholder="Filter files (Ctrl+P to jump)"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
          aria-label="Filter files"
        />
      </div>
      <div className="panel-scroll tree">
        {!tree && <Spinner />}
        {tree && filtered && filtered.length === 0 && <EmptyState title="No file matches">Try fewer letters, e.g. “fct” for fct_sales.sql.</EmptyState>}
        {tree && filtered && filtered.map((file) => renderFile(file, 0, file.path))}
        {tree && !filtered && tree.children.length === 0 && (
          <EmptyState title="This project has no files yet">Add a model under models/ and it appears here.</EmptyState>
        )}
        {tree && !filtered && tree.children.map((child) => renderNode(child, 0))}
      </div>
    </div>
  );
}
