import { memo } from "react";
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import type { GraphNodeDto, NodeStatusDto } from "../../api";
import { LAYER_LABELS } from "./graphModel";

export type KilnNodeData = {
  dto: GraphNodeDto;
  status: NodeStatusDto | null;
  focused: boolean;
  running: boolean;
};

export type KilnFlowNode = Node<KilnNodeData, "kiln">;

/** One graph node: layer colour strip, name, materialisation and the last-run status. */
export const LineageNode = memo(function LineageNode({ data, selected }: NodeProps<KilnFlowNode>) {
  const { dto, status, focused, running } = data;
  return (
    <div
      data-testid="lineage-node"
      data-name={dto.name}
      data-status={running ? "running" : (status ?? "")}
      className={`lineage-node layer-${dto.layer} ${selected ? "selected" : ""} ${focused ? "focused" : ""} ${status ? `has-status status-${status}` : ""}`}
      title={dto.description ? `${dto.id}\n\n${dto.description}` : dto.id}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="lineage-node-body">
        <span className="lineage-node-name">{dto.name}</span>
        <span className="lineage-node-meta">
          {LAYER_LABELS[dto.layer]}
          {dto.materialized ? ` · ${dto.materialized}` : ""}
        </span>
      </div>
      {running ? <span className="lineage-status status-running">running</span> : status && <span className={`lineage-status status-${status}`}>{status}</span>}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});
