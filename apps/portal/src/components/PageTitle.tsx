import { useEffect, useRef, type ReactNode } from 'react';
import { useT } from '../i18n/i18n';

/**
 * The page's h1 and document title. After a navigation, focus moves to the heading so that a
 * screen reader announces the new page and keyboard users start from its top.
 */
export function PageTitle({ children, title, focus = true }: { children: ReactNode; title?: string; focus?: boolean }) {
  const t = useT();
  const ref = useRef<HTMLHeadingElement>(null);
  const text = title ?? (typeof children === 'string' ? children : undefined);
  useEffect(() => {
    if (text) document.title = `${text} · ${t('app.name')}`;
  }, [text, t]);
  useEffect(() => {
    if (focus) ref.current?.focus({ preventScroll: false });
  }, [focus]);
  return (
    // elementtiming: the browser records when the heading was first painted (the browser tests'
    // time-to-first-render figure).
    <h1 ref={ref} tabIndex={-1} className="page-title" {...{ elementtiming: 'page-title' }}>
      {children}
    </h1>
  );
}
