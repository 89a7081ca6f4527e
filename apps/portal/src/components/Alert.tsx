import type { ReactNode } from 'react';

/** A message about the page: errors interrupt (role=alert), the rest are polite (role=status). */
export function Alert({ tone = 'error', title, children }: { tone?: 'error' | 'success' | 'info' | 'warning'; title?: ReactNode; children?: ReactNode }) {
  return (
    <div className={`alert alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {title && <p className="alert-title">{title}</p>}
      {children}
    </div>
  );
}
