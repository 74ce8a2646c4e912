import { Fragment, memo } from "react";
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import type { GraphNodeDto, NodeStatusDto } from "../../api";
import { LAYER_LABELS } from "./graphModel";
import "./lineage-node.css";

export type KilnNodeData = {
  dto: GraphNodeDto;
  status: NodeStatusDto | null;
  focused: boolean;
  running: boolean;
  /** Whether the selector box's selection picks this node; null while the box selects nothing. */
  picked: boolean | null;
};

export type KilnFlowNode = Node<KilnNodeData, "kiln">;

/** The name with break opportunities after each `_`, `.` and `__`, so long names wrap between words. */
function Breakable({ text }: { text: string }) {
  const pieces = text.split(/(?<=[_.])/);
  return (
    <>
      {pieces.map((piece, index) => (
        <Fragment key={index}>
          {piece}
          {index < pieces.length - 1 && <wbr />}
        </Fragment>
      ))}
    </>
  );
}

/** One graph node: layer colour strip, name (wrapped, never cut), materialisation and the last-run status. */
export const LineageNode = memo(function LineageNode({ data, selected }: NodeProps<KilnFlowNode>) {
  const { dto, status, focused, running, picked } = data;
  const test = dto.resourceType === "test";
  const shownStatus = running ? "running" : status;
  return (
    <div
      data-testid="lineage-node"
      data-name={dto.name}
      data-status={shownStatus ?? ""}
      data-picked={picked === null ? undefined : String(picked)}
      data-selected={selected ? "true" : undefined}
      className={`lineage-node layer-${dto.layer} ${test ? "lineage-node-test" : ""} ${selected ? "selected" : ""} ${focused ? "focused" : ""} ${status ? `has-status status-${status}` : ""} ${picked === true ? "picked" : picked === false ? "unpicked" : ""}`}
      title={dto.description ? `${dto.id}\n\n${dto.description}` : dto.id}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="lineage-node-body">
        <span className="lineage-node-name" data-testid="lineage-node-name">
          <Breakable text={dto.name} />
        </span>
        {!test && (
          <span className="lineage-node-meta">
            {LAYER_LABELS[dto.layer]}
            {dto.materialized ? ` · ${dto.materialized}` : ""}
          </span>
        )}
      </div>
      {shownStatus && <span className={`lineage-status status-${shownStatus}`}>{shownStatus}</span>}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});
