// A workflow's DAG drawn with @xyflow/react: one node per step (its number, name, module and, on a
// live workflow, its status in words and colour), one edge per dependency. In the builder, an edge
// dragged from a step's right handle to a later step's left handle adds a dependency.
// Loaded only with the workflow pages (xyflow is large). Its attribution stays visible: hiding it
// is for React Flow Pro subscribers, and development builds warn about it.
import {
  Background,
  Handle,
  Position,
  ReactFlow,
  type Connection,
  type Edge,
  type Node,
  type NodeProps,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useMemo } from "react";
import { positions } from "../lib/workflowModel.ts";

export type GraphStep = {
  id: string;
  title: string;
  subtitle?: string;
  /** A step status; coloured and written in the node. */
  status?: string;
  dependsOn: string[];
};

type StepData = { title: string; subtitle?: string; status?: string; connectable: boolean };

function StepNode({ data }: NodeProps<Node<StepData>>) {
  return (
    <div className={`wf-node${data.status ? ` status-${data.status}` : ""}`}>
      <Handle type="target" position={Position.Left} isConnectable={data.connectable} />
      <strong>{data.title}</strong>
      {data.subtitle && <span className="wf-node-sub">{data.subtitle}</span>}
      {data.status && <span className="wf-node-status">{data.status}</span>}
      <Handle type="source" position={Position.Right} isConnectable={data.connectable} />
    </div>
  );
}

const nodeTypes = { step: StepNode };

export function WorkflowGraph({
  steps,
  label,
  onConnect,
  height = 320,
}: {
  steps: GraphStep[];
  label: string;
  onConnect?: (from: string, to: string) => void;
  height?: number;
}) {
  // Remounted when the graph's shape changes, so that it fits the view again.
  const structure = steps.map((s) => `${s.id}<${s.dependsOn.join(",")}`).join(";");
  const { nodes, edges } = useMemo(() => {
    const index = new Map(steps.map((s, i) => [s.id, i]));
    const deps = steps.map((s) => s.dependsOn.map((d) => index.get(d)).filter((d): d is number => d !== undefined));
    const at = positions(deps);
    const nodes: Node<StepData>[] = steps.map((s, i) => ({
      id: s.id,
      type: "step",
      position: at[i]!,
      data: {
        title: s.title,
        ...(s.subtitle ? { subtitle: s.subtitle } : {}),
        ...(s.status ? { status: s.status } : {}),
        connectable: !!onConnect,
      },
      ariaLabel: `${s.title}${s.status ? `: ${s.status}` : ""}`,
    }));
    const edges: Edge[] = steps.flatMap((s) =>
      s.dependsOn.map((d) => ({
        id: `${d}->${s.id}`,
        source: d,
        target: s.id,
        animated: s.status === "Posted",
      })),
    );
    return { nodes, edges };
  }, [steps, onConnect]);

  return (
    <div className="wf-graph" style={{ height }} role="group" aria-label={label}>
      <ReactFlow
        key={structure}
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ padding: 0.15 }}
        nodesDraggable={false}
        nodesConnectable={!!onConnect}
        elementsSelectable={!!onConnect}
        zoomOnScroll={false}
        preventScrolling={false}
        onConnect={(c: Connection) => c.source && c.target && onConnect?.(c.source, c.target)}
      >
        <Background gap={16} />
      </ReactFlow>
    </div>
  );
}
