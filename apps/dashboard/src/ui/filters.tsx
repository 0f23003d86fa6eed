import { useState } from 'preact/hooks';
import { type Location, navigate, withParams } from '../router.js';

export interface FilterSpec {
  key: string;
  label: string;
  type: 'text' | 'number' | 'datetime' | 'select';
  options?: readonly string[];
}

/** `2026-01-02T03:04` (datetime-local, the user's zone) ↔ ISO instant in the URL. */
const toLocalInput = (iso: string | null): string => {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (v: string): string | undefined => (v ? new Date(v).toISOString() : undefined);

/** A filter form whose values live in the URL (submitting resets the page cursor). */
export function Filters({
  loc,
  specs,
  quick,
}: {
  loc: Location;
  specs: FilterSpec[];
  quick?: [string, Record<string, string>][];
}) {
  const initial = () =>
    Object.fromEntries(
      specs.map((s) => [
        s.key,
        s.type === 'datetime' ? toLocalInput(loc.query.get(s.key)) : (loc.query.get(s.key) ?? ''),
      ]),
    );
  const [values, setValues] = useState<Record<string, string>>(initial);
  const key = loc.query.toString();
  const [seen, setSeen] = useState(key);
  if (seen !== key) {
    setSeen(key);
    setValues(initial());
  }
  const submit = (e: Event) => {
    e.preventDefault();
    const changes: Record<string, string | undefined> = {};
    for (const s of specs)
      changes[s.key] = s.type === 'datetime' ? fromLocalInput(values[s.key] ?? '') : values[s.key];
    navigate(withParams(loc, changes));
  };
  return (
    <form class="filters" onSubmit={submit} aria-label="Filters">
      {specs.map((s) => {
        const id = `filter-${s.key}`;
        const set = (v: string) => setValues({ ...values, [s.key]: v });
        return (
          <div class="filter" key={s.key}>
            <label for={id}>{s.label}</label>
            {s.type === 'select' ? (
              <select id={id} value={values[s.key]} onChange={(e) => set(e.currentTarget.value)}>
                <option value="">any</option>
                {s.options!.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            ) : s.type === 'datetime' ? (
              <input
                id={id}
                type="datetime-local"
                value={values[s.key]}
                onInput={(e) => set(e.currentTarget.value)}
              />
            ) : s.type === 'number' ? (
              <input
                id={id}
                type="number"
                min={1}
                value={values[s.key]}
                onInput={(e) => set(e.currentTarget.value)}
              />
            ) : (
              <input id={id} type="text" value={values[s.key]} onInput={(e) => set(e.currentTarget.value)} />
            )}
          </div>
        );
      })}
      <button type="submit">Apply</button>
      <a href={loc.path}>Clear</a>
      {quick?.map(([label, q]) => (
        <a
          key={label}
          class="button quick"
          href={withParams({ path: loc.path, query: new URLSearchParams() }, q)}
        >
          {label}
        </a>
      ))}
    </form>
  );
}
