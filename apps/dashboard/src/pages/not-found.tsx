import type { PageProps } from '../routes.js';
import { useTitle } from '../ui/hooks.js';

export function NotFound({ loc }: PageProps) {
  useTitle('Not found');
  return (
    <>
      <h1>Not found</h1>
      <p>
        No dashboard page at <code>{loc.path}</code>. <a href="/">Go to the overview</a>.
      </p>
    </>
  );
}
