import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { streamText } from '../api.js';

const MAX_CHARS = 2_000_000;
const STATE_TEXT: Record<string, string> = {
  waiting: '⧗ waiting for the execution to start',
  following: '▶ following the running execution',
  ended: '■ end of log',
  loading: 'loading…',
};

/**
 * An execution's logs: while it runs, the `follow` stream (text arrives as the task writes it,
 * and ends with the execution); afterwards the kept tail. Search filters lines and counts hits.
 */
export function LogViewer({ id, running, started }: { id: number; running: boolean; started: boolean }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<'waiting' | 'loading' | 'following' | 'ended' | 'error'>('loading');
  const [error, setError] = useState<string>();
  const [search, setSearch] = useState('');
  const [stick, setStick] = useState(true);
  const box = useRef<HTMLElement>(null);
  // The stream being read, kept across renders: a follow stream must be read to its own end even
  // when the execution's status flips to finished first (aborting it then left "following" forever).
  const stream = useRef<{ id: number; follow: boolean; abort: AbortController; failed: boolean } | undefined>(
    undefined,
  );
  const mode = !started ? 'wait' : running ? 'follow' : 'tail';
  useEffect(() => () => stream.current?.abort.abort(), [id]);
  useEffect(() => {
    if (mode === 'wait') {
      setState('waiting');
      return;
    }
    const current = stream.current;
    // A stream followed to its end holds the whole log: no second read when the status flips.
    if (mode === 'tail' && current?.id === id && current.follow && !current.failed) return;
    current?.abort.abort();
    const abort = new AbortController();
    const mine = { id, follow: mode === 'follow', abort, failed: false };
    stream.current = mine;
    setText('');
    setState(mode === 'follow' ? 'following' : 'loading');
    streamText(
      `/tasks/executions/${id}/logs${mode === 'follow' ? '?follow=true' : ''}`,
      (chunk) => setText((t) => (t + chunk).slice(-MAX_CHARS)),
      abort.signal,
    ).then(
      () => setState('ended'),
      (e: Error) => {
        if (abort.signal.aborted) return;
        mine.failed = true;
        setError(e.message);
        setState('error');
      },
    );
  }, [id, mode]);
  useEffect(() => {
    if (stick && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [text, stick]);
  const lines = useMemo(() => {
    const all = text.split('\n');
    if (all.at(-1) === '') all.pop();
    if (!search) return all;
    const needle = search.toLowerCase();
    return all.filter((l) => l.toLowerCase().includes(needle));
  }, [text, search]);
  return (
    <section aria-labelledby="logs-h" class="logs">
      <h2 id="logs-h">Logs</h2>
      <div class="toolbar">
        <label for="log-search">Search logs</label>
        <input
          id="log-search"
          type="search"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
        {search && <span aria-live="polite">{lines.length} matching lines</span>}
        <label>
          <input type="checkbox" checked={stick} onChange={(e) => setStick(e.currentTarget.checked)} /> Follow
          the end
        </label>
        <span class="log-state" data-state={state} aria-live="polite">
          {state === 'error' ? `✖ ${error}` : STATE_TEXT[state]}
        </span>
      </div>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (axe scrollable-region-focusable) */}
      <section ref={box} class="log" tabIndex={0} aria-label="Log lines">
        <pre>{lines.join('\n') || (state === 'ended' ? '(no output kept)' : '')}</pre>
      </section>
    </section>
  );
}
