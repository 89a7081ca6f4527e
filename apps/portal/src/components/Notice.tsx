import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Alert } from './Alert';
import { announce } from './Announcer';

/**
 * The latest notice to show (an app revoked, a session ended…), with a new `id` each time to
 * key the Notice by, so that the same notice twice is said twice. `clear` hides it.
 */
export function useNoticeState<T>() {
  const [notice, setNotice] = useState<{ id: number; value: T } | null>(null);
  const show = useCallback((value: T) => setNotice((previous) => ({ id: (previous?.id ?? 0) + 1, value })), []);
  const clear = useCallback(() => setNotice(null), []);
  return { notice, show, clear };
}

/**
 * A success (or info) message shown on the page and said through the frame's live region
 * (Announcer), since an alert inserted with its text is often not read out. With `focus`, it
 * also takes focus: for when the control the person used is gone (an item removed from a list),
 * which would otherwise drop focus to the page's body. Give it a new `key` for each new event,
 * so that a repeat is said (and focused) again.
 */
export function Notice({ tone = 'success', title, focus = false, children }: { tone?: 'success' | 'info'; title?: ReactNode; focus?: boolean; children?: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  // Said (and focused) once, when it appears: a later re-render (a language switch) is not news,
  // so the effect reads what the notice was mounted with.
  const focusOnMount = useRef(focus);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    announce(element.textContent ?? '');
    if (focusOnMount.current) element.focus();
  }, []);
  return (
    <Alert ref={ref} tone={tone} title={title} tabIndex={-1}>
      {children}
    </Alert>
  );
}
