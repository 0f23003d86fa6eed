import type { CoreV1Event } from '@kubernetes/client-node';
import { toDate } from './observed.js';

/** An Event as an execution shows it (the API's ExecutionEvent). */
export interface ObjectEvent {
  time: string | null;
  type: string;
  reason: string;
  message: string;
  object: { kind: string; name: string };
  count: number;
  source: string | null;
}

/** Events of a Job and its pods, oldest first, in the shape the API serves. Pure. */
export function toObjectEvents(events: readonly CoreV1Event[]): ObjectEvent[] {
  const timeOf = (e: CoreV1Event): Date | undefined =>
    toDate(e.lastTimestamp) ??
    toDate(e.eventTime) ??
    toDate(e.firstTimestamp) ??
    toDate(e.metadata?.creationTimestamp);
  return [...events]
    .sort((a, b) => (timeOf(a)?.getTime() ?? 0) - (timeOf(b)?.getTime() ?? 0))
    .map((e) => ({
      time: timeOf(e)?.toISOString() ?? null,
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      message: e.message ?? '',
      object: { kind: e.involvedObject.kind ?? '', name: e.involvedObject.name ?? '' },
      count: Math.max(1, e.count ?? 1),
      source: e.source?.component ?? e.reportingComponent ?? null,
    }));
}
