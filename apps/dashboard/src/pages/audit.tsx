import { useContext } from 'preact/hooks';
import { withQuery } from '../api.js';
import { CallerContext } from '../context.js';
import type { PageProps } from '../routes.js';
import { refusal } from '../session.js';
import type { Page } from '../types.js';
import { Filters } from '../ui/filters.js';
import { formatTime } from '../ui/format.js';
import { useApi, useTitle } from '../ui/hooks.js';
import { ErrorBox, Loading, Pager } from '../ui/widgets.js';

interface AuditRecord {
  id: number;
  operation: string;
  action: string;
  correlationId: string;
  principal: string | null;
  outcome: string | null;
  platformName: string | null;
  createdAt: string;
}

export function AuditPage({ loc }: PageProps) {
  useTitle('Audit');
  const caller = useContext(CallerContext);
  const denied = caller ? refusal(caller, 'MANAGE') : undefined;
  const q = (k: string) => loc.query.get(k) ?? undefined;
  const page = useApi<Page<AuditRecord>>(
    denied
      ? undefined
      : withQuery('/audit-records', {
          operation: q('operation'),
          action: q('action'),
          principal: q('principal'),
          target: q('target'),
          from: q('from'),
          to: q('to'),
          size: q('size') ?? 50,
          cursor: q('cursor'),
        }),
  );
  return (
    <>
      <h1>Audit</h1>
      {denied ? (
        <p class="error" role="alert">
          The audit trail is not shown: {denied}.
        </p>
      ) : (
        <>
          <Filters
            loc={loc}
            specs={[
              { key: 'operation', label: 'Operation', type: 'text' },
              { key: 'action', label: 'Action', type: 'text' },
              { key: 'principal', label: 'Principal', type: 'text' },
              { key: 'target', label: 'Target', type: 'text' },
              { key: 'from', label: 'From', type: 'datetime' },
            ]}
          />
          <ErrorBox error={page.error} />
          {!page.data ? (
            <Loading what="audit records" />
          ) : (
            <table>
              <caption class="sr-only">Audit records, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Principal</th>
                  <th scope="col">Operation</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((r) => (
                  <tr key={r.id}>
                    <td>{formatTime(r.createdAt)}</td>
                    <td>{r.principal ?? '—'}</td>
                    <td>{r.operation}</td>
                    <td>{r.action}</td>
                    <td>
                      <code>{r.correlationId}</code>
                    </td>
                    <td>{r.outcome ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager loc={loc} next={page.data?.page.next} />
        </>
      )}
    </>
  );
}
