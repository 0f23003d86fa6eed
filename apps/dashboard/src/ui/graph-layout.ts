import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import ELK from 'elkjs/lib/elk-api.js';
import type { GraphBody } from '../types.js';

export interface LaidNode {
  id: string;
  name: string;
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface LaidEdge {
  id: string;
  path: string;
  label?: string;
  labelX?: number;
  labelY?: number;
}
export interface Layout {
  width: number;
  height: number;
  nodes: LaidNode[];
  edges: LaidEdge[];
}

let elk: InstanceType<typeof ELK> | undefined;
/** elk's layout engine (1.6 MB) runs in a worker fetched the first time a graph is shown. */
const engine = () => (elk ??= new ELK({ workerUrl: '/assets/elk-worker.min.js' }));

const CONTROL = new Set(['START', 'END']);
const nodeLabel = (n: GraphBody['nodes'][number]) => n.label ?? n.name;

/** Lays a composed task's graph out top-down in layers (splits side by side, transitions labelled). */
export async function layoutGraph(graph: GraphBody): Promise<Layout> {
  const children: ElkNode[] = graph.nodes.map((n) => ({
    id: n.id,
    width: CONTROL.has(n.name) ? 70 : Math.max(110, nodeLabel(n).length * 8 + 24),
    height: CONTROL.has(n.name) ? 28 : 44,
  }));
  const edges: ElkExtendedEdge[] = graph.links.map((l, i) => {
    const label = l.properties?.transitionName;
    return {
      id: `e${i}`,
      sources: [l.from],
      targets: [l.to],
      labels: label ? [{ text: label, width: label.length * 7 + 8, height: 14 }] : [],
    };
  });
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '40',
      'elk.spacing.nodeNode': '30',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeLabels.inline': 'false',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    children,
    edges,
  };
  const laid: ElkNode = await engine().layout(root);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return {
    width: Math.ceil(laid.width ?? 0),
    height: Math.ceil(laid.height ?? 0),
    nodes: (laid.children ?? []).map((c) => {
      const n = byId.get(c.id)!;
      return {
        id: c.id,
        name: n.name,
        label: nodeLabel(n),
        x: c.x ?? 0,
        y: c.y ?? 0,
        width: c.width ?? 0,
        height: c.height ?? 0,
      };
    }),
    edges: ((laid.edges ?? []) as ElkExtendedEdge[]).map((e) => {
      const s = e.sections?.[0];
      const points = s ? [s.startPoint, ...(s.bendPoints ?? []), s.endPoint] : [];
      const label = e.labels?.[0];
      return {
        id: e.id,
        path: points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x} ${p.y}`).join(' '),
        label: label?.text,
        labelX: (label?.x ?? 0) + 2,
        labelY: (label?.y ?? 0) + 11,
      };
    }),
  };
}
