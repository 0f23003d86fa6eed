import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { get } from '../api.js';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
}

/** GETs `path` whenever it changes; `reload()` re-reads it (live updates) without blanking the page. */
export function useApi<T>(path: string | undefined): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean; path?: string }>({
    loading: true,
  });
  const seq = useRef(0);
  const load = useCallback(() => {
    if (!path) return;
    const n = ++seq.current;
    setState((s) => ({
      ...s,
      loading: true,
      ...(s.path === path ? {} : { data: undefined, error: undefined }),
    }));
    get<T>(path).then(
      (data) => n === seq.current && setState({ data, loading: false, path }),
      (error: Error) => n === seq.current && setState({ error, loading: false, path }),
    );
  }, [path]);
  // A layout effect runs as the page is committed, not after the next frame: the request starts sooner.
  useLayoutEffect(load, [load]);
  return { data: state.data, error: state.error, loading: state.loading, reload: load };
}

/** Sets document.title for the page. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Batchyard`;
  }, [title]);
}
