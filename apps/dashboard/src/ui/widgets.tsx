import type { ComponentChildren } from 'preact';
import { useContext, useState } from 'preact/hooks';
import { ApiFailure } from '../api.js';
import { CallerContext } from '../context.js';
import { type Location, withParams } from '../router.js';
import { refusal } from '../session.js';

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error as Error;
  const forbidden = e instanceof ApiFailure && e.status === 403;
  return (
    <div class="error" role="alert">
      <strong>{forbidden ? 'Not allowed: ' : e instanceof ApiFailure ? `${e.code}: ` : 'Error: '}</strong>
      {e.message}
      {e instanceof ApiFailure && e.details.length > 0 && (
        <ul>
          {e.details.map((d) => (
            <li key={d.path}>
              <code>{d.path}</code> {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** Keyset pager: "First page" drops the cursor; "Next" carries the page's `next` cursor in the URL. */
export function Pager({ loc, next }: { loc: Location; next: string | null | undefined }) {
  const onFirst = !loc.query.get('cursor');
  return (
    <nav class="pager" aria-label="Pages">
      {onFirst ? (
        <span class="muted">First page</span>
      ) : (
        <a href={withParams(loc, { cursor: undefined })}>⇤ First page</a>
      )}
      {next ? (
        <a href={withParams(loc, { cursor: next })} rel="next">
          Next page →
        </a>
      ) : (
        <span class="muted">Last page</span>
      )}
    </nav>
  );
}

/**
 * A button for an action that needs a role: disabled with the reason (as tooltip and text for
 * screen readers) when the caller does not hold it; errors of the call shown beside it.
 */
export function Action(props: {
  /** The role the action needs. */
  needs: string;
  label: string;
  run: () => Promise<unknown>;
  confirm?: string;
  disabledReason?: string;
  kind?: 'danger' | 'primary';
  onDone?: () => void;
}) {
  const caller = useContext(CallerContext);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const reason = props.disabledReason ?? (caller ? refusal(caller, props.needs) : undefined);
  const click = async () => {
    if (props.confirm && !window.confirm(props.confirm)) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.run();
      props.onDone?.();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="action">
      <button
        type="button"
        class={props.kind ?? ''}
        disabled={busy || reason !== undefined}
        aria-disabled={reason !== undefined}
        title={reason}
        onClick={click}
      >
        {busy ? `${props.label}…` : props.label}
      </button>
      {reason && <span class="sr-only">({reason})</span>}
      {error !== undefined && <ErrorBox error={error} />}
    </span>
  );
}

/**
 * A link to a page whose purpose needs a role (launch, edit, schedule): when the caller does not
 * hold it, a disabled button in its place with the reason on hover and for screen readers.
 */
export function ActionLink(props: { needs: string; href: string; label: string; kind?: 'primary' }) {
  const caller = useContext(CallerContext);
  const reason = caller ? refusal(caller, props.needs) : undefined;
  const cls = `button${props.kind ? ` ${props.kind}` : ''}`;
  if (reason === undefined)
    return (
      <a class={cls} href={props.href}>
        {props.label}
      </a>
    );
  return (
    <span class="action">
      <button type="button" class={props.kind ?? ''} disabled aria-disabled title={reason}>
        {props.label}
      </button>
      <span class="sr-only">({reason})</span>
    </span>
  );
}

export function Field(props: {
  label: string;
  error?: string;
  hint?: string;
  children: ComponentChildren;
  id: string;
}) {
  return (
    <div class={`field${props.error ? ' invalid' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && <small class="muted">{props.hint}</small>}
      {props.error && (
        <small class="field-error" id={`${props.id}-error`} role="alert">
          {props.error}
        </small>
      )}
    </div>
  );
}

export function KeyValues({ values, empty = 'none' }: { values: Record<string, unknown>; empty?: string }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return <p class="muted">{empty}</p>;
  return (
    <dl class="kv">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>
            <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
          </dd>
        </div>
      ))}
    </dl>
  );
}
