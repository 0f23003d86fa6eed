import { useEffect, useState } from 'preact/hooks';
import type { GraphBody } from '../types.js';
import { type Layout, layoutGraph } from './graph-layout.js';
import { Status } from './status.js';

export interface NodeState {
  status?: string;
  href?: string;
}

/**
 * A composed task drawn as a layered DAG (elkjs, run in a worker loaded only on graph pages):
 * nodes with their app label, links with their transition, and — on an execution — each
 * child's live status and a link to it.
 */
export function TaskGraph({
  graph,
  states = {},
  title,
}: {
  graph: GraphBody;
  states?: Record<string, NodeState>;
  title: string;
}) {
  const [layout, setLayout] = useState<Layout>();
  const [error, setError] = useState<string>();
  const key = JSON.stringify(graph);
  useEffect(() => {
    let live = true;
    layoutGraph(graph).then(
      (l) => live && setLayout(l),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [key]);
  if (error) return <p class="error">Graph layout failed: {error}</p>;
  if (!layout) return <p class="muted">Laying out the graph…</p>;
  return (
    <figure class="graph">
      {/* biome-ignore lint/a11y/useSemanticElements: an SVG cannot be a fieldset; its nodes are links */}
      <svg
        role="group"
        aria-label={title}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        width={layout.width}
        height={layout.height}
      >
        <defs>
          <marker
            id="arrow"
            class="arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="6"
            markerHeight="6"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" />
          </marker>
        </defs>
        {layout.edges.map((e) => (
          <g key={e.id} class="edge">
            <path d={e.path} marker-end="url(#arrow)" />
            {e.label && (
              <text x={e.labelX} y={e.labelY} class="edge-label">
                {e.label}
              </text>
            )}
          </g>
        ))}
        {layout.nodes.map((n) => {
          const state = states[n.label];
          const control = n.name === 'START' || n.name === 'END' || n.name.startsWith('$');
          const body = (
            <g class={`node${control ? ' control' : ''}`} data-node={n.label} data-status={state?.status}>
              <rect x={n.x} y={n.y} width={n.width} height={n.height} rx={control ? n.height / 2 : 4} />
              <text
                x={n.x + n.width / 2}
                y={n.y + (state?.status ? 18 : n.height / 2 + 4)}
                text-anchor="middle"
              >
                {n.label}
              </text>
              {state?.status && (
                <text x={n.x + n.width / 2} y={n.y + 36} text-anchor="middle" class="node-status">
                  {statusText(state.status)}
                </text>
              )}
            </g>
          );
          return state?.href ? (
            <a key={n.id} href={state.href} aria-label={`${n.label}: ${state.status ?? ''}`}>
              {body}
            </a>
          ) : (
            <g key={n.id}>{body}</g>
          );
        })}
      </svg>
      <figcaption>
        {title}. Nodes:{' '}
        {layout.nodes
          .filter((n) => states[n.label]?.status)
          .map((n) => (
            <span key={n.id} class="legend">
              {n.label} <Status status={states[n.label]!.status!} />
            </span>
          ))}
      </figcaption>
    </figure>
  );
}

const ICON: Record<string, string> = {
  COMPLETE: '✔',
  FAILED: '✖',
  RUNNING: '▶',
  QUEUED: '⧗',
  STOPPED: '◼',
  LOST: '?',
};
const statusText = (s: string) => `${ICON[s] ?? '•'} ${s}`;
