import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent, type MouseEvent } from "react";
import type { FileNode } from "../../api";
import { flattenFiles } from "../../app/studio";
import { useBuffersVersion, useStudio, useStudioInstance } from "../../app/useStudio";
import { EmptyState, Icon, Spinner } from "../../shared/ui";
import { isDirty } from "../editor/buffers";
import { Highlighted } from "../palette/CommandPalette";
import { rankItems } from "../palette/rank";
import { ExplorerMenu, type ExplorerAction } from "./ExplorerMenu";
import { FileDialog, type FileDialogRequest } from "./FileDialogs";
import { baseName, copyText, folderFor, joinPath, movePath, parentOf, ROOT_TARGET, targetOf, type ExplorerTarget } from "./fileOps";

/** The drag payload of an explorer row (its path), so drops from elsewhere are ignored. */
const DRAG_TYPE = "application/x-kiln-path";
import { KIND_LABEL } from "./kinds";

export { KIND_LABEL } from "./kinds";

/** One visible row of the tree: a node at a depth, with the label and highlights it is drawn with. */
interface Row {
  node: FileNode;
  depth: number;
  label: string;
  indices: number[];
}

function visibleRows(tree: FileNode, collapsed: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  const walk = (node: FileNode, depth: number) => {
    rows.push({ node, depth, label: node.name, indices: [] });
    if (node.kind === "dir" && !collapsed.has(node.path)) node.children.forEach((child) => walk(child, depth + 1));
  };
  tree.children.forEach((child) => walk(child, 0));
  return rows;
}

/**
 * The project's files. Right-click (or Shift+F10 / the menu key) on a file, a folder or the empty
 * area opens the menu (new file, new folder, rename, move, delete, copy path); with a row focused,
 * F2 renames, Delete deletes, Enter opens, arrows move (left/right fold folders).
 */
export function ExplorerTree() {
  const studio = useStudioInstance();
  const tree = useStudio((state) => state.tree);
  const project = useStudio((state) => state.project);
  const activeTabId = useStudio((state) => state.activeTabId);
  useBuffersVersion();
  const [filter, setFilter] = useState("");
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [focused, setFocused] = useState<string | null>(null);
  const [menu, setMenu] = useState<{ x: number; y: number; target: ExplorerTarget } | null>(null);
  const [dialog, setDialog] = useState<FileDialogRequest | null>(null);
  const [dropTarget, setDropTarget] = useState<string | null>(null);
  const dragged = useRef<string | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const focusedRef = useRef<string | null>(null);
  focusedRef.current = focused;

  const rows = useMemo<Row[]>(() => {
    if (!tree) return [];
    if (!filter.trim()) return visibleRows(tree, collapsed);
    return rankItems(flattenFiles(tree), filter, (file) => ({ name: file.name, detail: file.path }), 300).map(({ item, match }) => ({
      node: item,
      depth: 0,
      label: item.path,
      // Highlights are drawn on the path: shift name matches by where the name starts.
      indices: match.field === "name" ? match.indices.map((index) => index + item.path.length - item.name.length) : match.indices,
    }));
  }, [tree, filter, collapsed]);

  const activePath = activeTabId?.startsWith("file:") ? activeTabId.slice(5) : null;
  const focusRow = useCallback((path: string | null) => {
    setFocused(path);
    if (path === null) return;
    requestAnimationFrame(() => {
      const row = scroller.current?.querySelector<HTMLElement>(`[data-row-path="${CSS.escape(path)}"]`);
      row?.focus();
      row?.scrollIntoView({ block: "nearest" });
    });
  }, []);

  const toggle = (path: string, open?: boolean) => {
    const next = new Set(collapsed);
    const isOpen = !next.has(path);
    if (open ?? !isOpen) next.delete(path);
    else next.add(path);
    setCollapsed(next);
  };

  const openDialog = (kind: FileDialogRequest["kind"], target: ExplorerTarget) => {
    setMenu(null);
    setDialog({ kind, target });
  };

  const closeMenu = useCallback(
    (restoreFocus: boolean) => {
      setMenu(null);
      if (restoreFocus) focusRow(focusedRef.current);
    },
    [focusRow],
  );

  const act = async (action: ExplorerAction, target: ExplorerTarget) => {
    setMenu(null);
    switch (action) {
      case "open":
        if (!target.isDir) void studio.openFile(target.path);
        return;
      case "openCanvas":
        if (!target.isDir) studio.openCanvas(target.path);
        return;
      case "newFile":
      case "newFolder":
        // The folder the new entry goes in stays open, so it is seen appearing.
        if (folderFor(target)) toggle(folderFor(target), true);
        openDialog(action, target);
        return;
      case "rename":
      case "move":
      case "delete":
        openDialog(action, target);
        return;
      case "copyPath":
      case "copyRelativePath": {
        const relative = target.path;
        const text = action === "copyRelativePath" ? relative : [project?.root ?? "", relative].filter(Boolean).join("/");
        const copied = await copyText(text);
        studio.toast(copied ? "info" : "error", copied ? `Copied ${text}` : "The browser refused to copy to the clipboard.", copied ? undefined : text);
        focusRow(focused);
        return;
      }
      case "refresh":
        void studio.refreshTree();
        void studio.refreshGraph();
        return;
    }
  };

  const openMenuAt = (event: MouseEvent, target: ExplorerTarget) => {
    event.preventDefault();
    event.stopPropagation();
    if (target.path) setFocused(target.path);
    setMenu({ x: event.clientX, y: event.clientY, target });
  };

  /** Whether the row being dragged may be dropped into `folder` (not into itself or where it is). */
  const canDrop = (folder: string) => {
    const from = dragged.current;
    if (from === null) return false;
    return parentOf(from) !== folder && folder !== from && !folder.startsWith(`${from}/`);
  };

  const drop = (folder: string) => {
    const from = dragged.current;
    dragged.current = null;
    setDropTarget(null);
    if (from === null || parentOf(from) === folder || folder === from || folder.startsWith(`${from}/`)) return;
    const to = joinPath(folder, baseName(from));
    movePath(studio, from, to)
      .then(() => focusRow(to))
      .catch((error: unknown) => studio.reportError(`Could not move ${from} to ${folder || "the project folder"}`, error));
  };

  const dropProps = (folder: string) => ({
    onDragOver: (event: DragEvent) => {
      if (!event.dataTransfer.types.includes(DRAG_TYPE) || !canDrop(folder)) return;
      event.preventDefault();
      event.stopPropagation();
      event.dataTransfer.dropEffect = "move";
      if (dropTarget !== folder) setDropTarget(folder);
    },
    onDrop: (event: DragEvent) => {
      if (!event.dataTransfer.types.includes(DRAG_TYPE)) return;
      event.preventDefault();
      event.stopPropagation();
      drop(folder);
    },
  });

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (menu || dialog || event.altKey || event.ctrlKey || event.metaKey) return;
    const index = rows.findIndex((row) => row.node.path === focused);
    const row = rows[index];
    const go = (to: number) => {
      const next = rows[Math.max(0, Math.min(rows.length - 1, to))];
      if (next) focusRow(next.node.path);
    };
    const handled = (() => {
      switch (event.key) {
        case "ArrowDown":
          go(index < 0 ? 0 : index + 1);
          return true;
        case "ArrowUp":
          go(index < 0 ? 0 : index - 1);
          return true;
        case "Home":
          go(0);
          return true;
        case "End":
          go(rows.length - 1);
          return true;
        case "ArrowRight":
          if (row?.node.kind === "dir") {
            if (collapsed.has(row.node.path)) toggle(row.node.path, true);
            else go(index + 1);
          }
          return true;
        case "ArrowLeft":
          if (row?.node.kind === "dir" && !collapsed.has(row.node.path) && !filter.trim()) toggle(row.node.path, false);
          else if (row && parentOf(row.node.path)) focusRow(parentOf(row.node.path));
          return true;
        case "F2":
          if (row) openDialog("rename", targetOf(row.node));
          return true;
        case "Delete":
          if (row) openDialog("delete", targetOf(row.node));
          return true;
        case "ContextMenu":
        case "F10": {
          if (event.key === "F10" && !event.shiftKey) return false;
          const element = row ? scroller.current?.querySelector<HTMLElement>(`[data-row-path="${CSS.escape(row.node.path)}"]`) : null;
          const box = element?.getBoundingClientRect() ?? scroller.current?.getBoundingClientRect();
          if (box) setMenu({ x: box.left + 24, y: box.bottom, target: row ? targetOf(row.node) : ROOT_TARGET });
          return true;
        }
        default:
          return false;
      }
    })();
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  };

  // The focused row may have gone (renamed, deleted): focus stays on the tree, not on nothing.
  useEffect(() => {
    if (focused !== null && !rows.some((row) => row.node.path === focused)) setFocused(null);
  }, [rows, focused]);

  const rovingPath = focused ?? rows[0]?.node.path ?? null;

  const renderRow = ({ node, depth, label, indices }: Row) => {
    const common = {
      "data-row-path": node.path,
      "data-path": node.path,
      tabIndex: node.path === rovingPath ? 0 : -1,
      style: { paddingLeft: 8 + depth * 14 },
      title: node.path,
      onFocus: () => setFocused(node.path),
      onContextMenu: (event: MouseEvent) => openMenuAt(event, targetOf(node)),
      role: "treeitem",
      draggable: !filter.trim(),
      onDragStart: (event: DragEvent) => {
        dragged.current = node.path;
        event.dataTransfer.setData(DRAG_TYPE, node.path);
        event.dataTransfer.setData("text/plain", node.path);
        event.dataTransfer.effectAllowed = "move";
      },
      onDragEnd: () => {
        dragged.current = null;
        setDropTarget(null);
      },
      // Dropping on a file drops into its folder, as in VS Code.
      ...dropProps(node.kind === "dir" ? node.path : parentOf(node.path)),
      "aria-level": depth + 1,
      "aria-selected": node.path === focused,
    };
    if (node.kind === "dir") {
      const open = !collapsed.has(node.path) || Boolean(filter.trim());
      return (
        <button
          key={node.path}
          type="button"
          className={`tree-row tree-dir ${node.path === focused ? "focused" : ""} ${dropTarget === node.path ? "drop-target" : ""}`}
          data-testid="tree-dir"
          aria-expanded={open}
          onClick={() => {
            setFocused(node.path);
            toggle(node.path);
          }}
          {...common}
        >
          <Icon name={open ? "chevronDown" : "chevronRight"} size={12} />
          <span className="tree-label">{label}</span>
        </button>
      );
    }
    const buffer = studio.buffers.get(node.path);
    const dirty = buffer ? isDirty(buffer) : false;
    return (
      <button
        key={node.path}
        type="button"
        className={`tree-row ${activePath === node.path ? "active" : ""} ${node.path === focused ? "focused" : ""}`}
        data-testid="tree-file"
        onClick={() => {
          setFocused(node.path);
          void studio.openFile(node.path);
        }}
        {...common}
      >
        <span className={`file-kind kind-${node.kind}`}>{KIND_LABEL[node.kind] ?? ""}</span>
        <span className="tree-label">
          <Highlighted text={label} indices={indices} />
        </span>
        {dirty && <span className="dirty-dot inline" title="Unsaved changes" />}
      </button>
    );
  };

  const headerTarget = (): ExplorerTarget => {
    const row = rows.find((entry) => entry.node.path === focused);
    return row ? targetOf(row.node) : ROOT_TARGET;
  };

  return (
    <div className="panel">
      <div className="panel-header">
        <span className="panel-title">{project?.name ?? "Project"}</span>
        <button type="button" className="icon-button" title="New file" aria-label="New file" data-testid="explorer-new-file" onClick={() => void act("newFile", headerTarget())}>
          <Icon name="plus" size={14} />
        </button>
        <button type="button" className="icon-button" title="New folder" aria-label="New folder" onClick={() => void act("newFolder", headerTarget())}>
          <Icon name="folder" size={14} />
        </button>
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
          onKeyDown={(event) => {
            if (event.key === "ArrowDown" && rows[0]) {
              event.preventDefault();
              focusRow(rows[0].node.path);
            }
          }}
          aria-label="Filter files"
        />
      </div>
      <div
        ref={scroller}
        className="panel-scroll tree"
        role="tree"
        aria-label="Project files"
        data-testid="explorer-tree"
        onKeyDown={onKeyDown}
        onContextMenu={(event) => openMenuAt(event, ROOT_TARGET)}
        onDragLeave={(event) => {
          if (!(event.relatedTarget instanceof Node) || !event.currentTarget.contains(event.relatedTarget)) setDropTarget(null);
        }}
        {...dropProps("")}
      >
        {!tree && <Spinner />}
        {tree && filter.trim() && rows.length === 0 && <EmptyState title="No file matches">Try fewer letters, e.g. “fct” for fct_sales.sql.</EmptyState>}
        {tree && !filter.trim() && tree.children.length === 0 && (
          <EmptyState title="This project has no files yet">Right-click here, or use + above, to add a model under models/.</EmptyState>
        )}
        {tree && rows.map(renderRow)}
      </div>
      {menu && (
        <ExplorerMenu
          x={menu.x}
          y={menu.y}
          target={menu.target}
          caption={menu.target.path || project?.name || "Project"}
          onAction={(action) => void act(action, menu.target)}
          onClose={closeMenu}
        />
      )}
      {dialog && (
        <FileDialog
          request={dialog}
          onClose={(next) => {
            setDialog(null);
            // A new file opens in the editor, which keeps the focus; otherwise the tree takes it back.
            if (dialog.kind === "newFile" && next) setFocused(next);
            else focusRow(next ?? focused);
          }}
        />
      )}
    </div>
  );
}
