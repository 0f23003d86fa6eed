/** A status as text and icon (colour is never the only signal). */
const ICONS: Record<string, { icon: string; tone: string }> = {
  COMPLETE: { icon: '✔', tone: 'ok' },
  COMPLETED: { icon: '✔', tone: 'ok' },
  RUNNING: { icon: '▶', tone: 'run' },
  STARTED: { icon: '▶', tone: 'run' },
  STARTING: { icon: '◔', tone: 'run' },
  LAUNCHING: { icon: '◔', tone: 'run' },
  PENDING: { icon: '◔', tone: 'run' },
  QUEUED: { icon: '⧗', tone: 'wait' },
  STOPPING: { icon: '◼', tone: 'wait' },
  STOPPED: { icon: '◼', tone: 'warn' },
  ABANDONED: { icon: '⊘', tone: 'warn' },
  FAILED: { icon: '✖', tone: 'bad' },
  LOST: { icon: '?', tone: 'bad' },
  UNKNOWN: { icon: '?', tone: 'warn' },
};

export function Status({ status }: { status: string }) {
  const s = ICONS[status] ?? { icon: '•', tone: 'wait' };
  return (
    <span class={`status status-${s.tone}`} data-status={status}>
      <span aria-hidden="true">{s.icon}</span> {status}
    </span>
  );
}
