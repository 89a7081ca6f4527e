import type { ReactNode } from 'react';

/** A term/description list of an object's properties. */
export function Details({ rows }: { rows: Array<[string, ReactNode] | false | null | undefined> }) {
  return (
    <dl className="admin-details">
      {rows
        .filter((r): r is [string, ReactNode] => Array.isArray(r))
        .map(([term, value]) => (
          <div key={term} className="admin-details-row">
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
    </dl>
  );
}

/** A list of values, or a muted "none". */
export function Values({ values, none }: { values: readonly string[] | undefined; none: string }) {
  if (!values?.length) return <span className="muted">{none}</span>;
  return (
    <ul className="admin-plain-list">
      {values.map((v) => (
        <li key={v}>
          <code>{v}</code>
        </li>
      ))}
    </ul>
  );
}

export function Badge({ tone, children }: { tone?: 'danger' | 'success'; children: ReactNode }) {
  return <span className={['badge', tone ? `badge-${tone}` : ''].filter(Boolean).join(' ')}>{children}</span>;
}
