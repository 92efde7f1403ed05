"use client";
import { useRouter } from "next/navigation";
import { useMemo } from "react";
import { humanStatus, statusTone } from "../../lib/format.ts";
import { dagShapeKey, layoutDag, NODE_HEIGHT, NODE_WIDTH, type DagInput } from "./dag-layout.ts";
import { sheetHref } from "../../lib/routes.ts";

export interface DagSheet extends DagInput {
  status: string;
  description: string | null;
  voice: number | null;
}

/** The job's sheets as a dependency graph, each node coloured by its status; click to open. */
export function SheetDag({ jobId, sheets }: { jobId: string; sheets: readonly DagSheet[] }) {
  const router = useRouter();
  const shapeKey = dagShapeKey(sheets);
  const placed = useMemo(() => layoutDag(sheets), [shapeKey]);
  const byNum = new Map(sheets.map((sheet) => [sheet.num, sheet]));

  if (sheets.length === 0) return <p className="empty">This job has no sheets.</p>;
  return (
    <div className="dag" data-testid="dag">
      <svg
        width={placed.width}
        height={placed.height}
        role="img"
        aria-label="Sheet dependency graph"
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="6"
            markerHeight="6"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#9aa3b2" />
          </marker>
        </defs>
        {placed.edges.map((edge) => (
          <polyline
            key={`${edge.from}-${edge.to}`}
            className="edge"
            markerEnd="url(#arrow)"
            points={edge.points.map((point) => `${point.x},${point.y}`).join(" ")}
          />
        ))}
        {placed.nodes.map((node) => {
          const sheet = byNum.get(node.num);
          const status = sheet?.status ?? "PENDING";
          return (
            <g
              key={node.num}
              className="node"
              data-testid="dag-node"
              data-sheet={node.num}
              data-status={status}
              transform={`translate(${node.x - NODE_WIDTH / 2},${node.y - NODE_HEIGHT / 2})`}
              onClick={() => router.push(sheetHref(jobId, node.num))}
            >
              <title>{`Sheet ${node.num}${sheet?.description ? `: ${sheet.description}` : ""} — ${humanStatus(status)}`}</title>
              <rect
                width={NODE_WIDTH}
                height={NODE_HEIGHT}
                rx={6}
                className={`fill-${statusTone(status)}`}
              />
              <text x={10} y={16}>
                Sheet {node.num}
                {sheet?.voice ? ` · v${sheet.voice}` : ""}
              </text>
              <text x={10} y={30} style={{ fontWeight: 400, fontSize: 11 }}>
                {humanStatus(status)}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
