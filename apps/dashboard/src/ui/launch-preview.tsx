import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, api } from '../api.js';
import type { LaunchBody, LaunchPreview } from '../types.js';
import { ErrorBox } from './widgets.js';

export interface PreviewState {
  preview?: LaunchPreview;
  failure?: unknown;
  pending: boolean;
}

/**
 * Asks the server's dry run (`POST /tasks/executions/preview`) what the launch would run, 400 ms
 * after the last edit; an answer to an older body never replaces a newer one. `body` undefined
 * (the form cannot be sent yet, or the caller may not launch) asks nothing.
 */
export function useLaunchPreview(body: LaunchBody | undefined): PreviewState {
  const [state, setState] = useState<PreviewState>({ pending: body !== undefined });
  const key = body === undefined ? '' : JSON.stringify(body);
  useEffect(() => {
    if (!key) {
      setState({ pending: false });
      return;
    }
    let live = true;
    setState((s) => ({ ...s, pending: true }));
    const t = window.setTimeout(() => {
      api<LaunchPreview>('POST', '/tasks/executions/preview', JSON.parse(key)).then(
        (preview) => live && setState({ preview, pending: false }),
        (failure: unknown) => live && setState({ failure, pending: false }),
      );
    }, 400);
    return () => {
      live = false;
      window.clearTimeout(t);
    };
  }, [key]);
  return state;
}

/** The effective manifest the form's launch would run, or why there is none. */
export function PreviewPanel({
  state,
  fieldErrorShown,
  unavailable,
}: {
  state: PreviewState;
  /** The failure names a form field, where it is already shown. */
  fieldErrorShown: boolean;
  unavailable?: string;
}) {
  const { preview, failure, pending } = state;
  const status = unavailable ? 'unavailable' : pending ? 'pending' : failure ? 'refused' : 'ready';
  return (
    <section class="preview" aria-labelledby="preview-title" data-state={status}>
      <h2 id="preview-title">Effective manifest</h2>
      <p class="muted" role="status">
        {unavailable ??
          (pending
            ? 'Checking the launch…'
            : failure
              ? 'The launch would be refused as it stands (see above).'
              : preview?.composed
                ? 'A composed task: each child gets its own manifest as it starts.'
                : preview
                  ? `What the launch would run on ${preview.platformName} (${preview.platformType}): ${preview.app?.name} ${preview.app?.version}, secrets masked. Built for execution id 0; the launch puts its own id in the names.`
                  : '')}
      </p>
      {failure !== undefined && !pending && !(fieldErrorShown && failure instanceof ApiFailure) && (
        <ErrorBox error={failure} />
      )}
      {preview?.manifest != null && <pre class="manifest">{JSON.stringify(preview.manifest, null, 2)}</pre>}
    </section>
  );
}
