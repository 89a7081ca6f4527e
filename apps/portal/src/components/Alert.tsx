import type { HTMLAttributes, ReactNode, Ref } from 'react';

export interface AlertProps extends Omit<HTMLAttributes<HTMLDivElement>, 'title' | 'role'> {
  tone?: 'error' | 'success' | 'info' | 'warning';
  title?: ReactNode;
  /** To move focus to the message (with `tabIndex={-1}`) when the control that led to it is gone. */
  ref?: Ref<HTMLDivElement>;
}

/** A message about the page: errors interrupt (role=alert), the rest are polite (role=status). */
export function Alert({ tone = 'error', title, children, className, ...rest }: AlertProps) {
  return (
    <div {...rest} className={['alert', `alert-${tone}`, className].filter(Boolean).join(' ')} role={tone === 'error' ? 'alert' : 'status'}>
      {title && <p className="alert-title">{title}</p>}
      {children}
    </div>
  );
}
