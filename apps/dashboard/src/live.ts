import { useEffect, useRef } from 'preact/hooks';
import type { DashboardEvent } from './types.js';

/**
 * One EventSource per page (GET /events?topics=…): the page names the topics it shows and
 * re-reads its data when a matching change arrives, at most once per 500 ms.
 */
export function useLive(
  topics: string[],
  onChange: (e: DashboardEvent) => void,
  filter?: (e: DashboardEvent) => boolean,
): void {
  const handler = useRef(onChange);
  handler.current = onChange;
  const accept = useRef(filter);
  accept.current = filter;
  const key = topics.join(',');
  useEffect(() => {
    if (!key || typeof EventSource === 'undefined') return;
    const source = new EventSource(`/events?topics=${encodeURIComponent(key)}`);
    let timer: number | undefined;
    let last: DashboardEvent | undefined;
    source.onmessage = (msg) => {
      const event = JSON.parse(msg.data as string) as DashboardEvent;
      if (accept.current && !accept.current(event)) return;
      last = event;
      timer ??= window.setTimeout(() => {
        timer = undefined;
        if (last) handler.current(last);
      }, 500);
    };
    return () => {
      source.close();
      if (timer !== undefined) window.clearTimeout(timer);
    };
  }, [key]);
}
