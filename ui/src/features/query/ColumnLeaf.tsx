/** One column under a relation in a schema tree: its name and type, its description on hover. */
export function ColumnLeaf({ name, dataType, description }: { name: string; dataType?: string | null; description?: string | null }) {
  return (
    <div className="tree-row tree-leaf" style={{ paddingLeft: 52 }} title={description || undefined}>
      <span className="tree-label">{name}</span>
      <span className="tree-meta">{dataType ?? ""}</span>
    </div>
  );
}
