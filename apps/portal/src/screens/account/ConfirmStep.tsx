import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { Button } from '../../components';
import { useT } from '../../i18n/i18n';

/**
 * A second step before something that cannot be undone (revoking an app, removing a passkey):
 * says what will happen. Focus goes to it (the message is its description, so it is read with
 * the group's name); Cancel (or Escape) gives focus back to the button that opened it, which is
 * why callers keep that button on the page.
 */
export function ConfirmStep({
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  busy = false,
}: {
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
}) {
  const t = useT();
  const ref = useRef<HTMLDivElement>(null);
  const messageId = useId();
  const opener = useRef<HTMLElement | null>(null);
  useEffect(() => {
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    ref.current?.focus();
  }, []);
  const cancel = () => {
    onCancel();
    if (opener.current?.isConnected) opener.current.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !busy) {
      event.stopPropagation();
      cancel();
    }
  };
  return (
    <div className="confirm-step" role="group" ref={ref} tabIndex={-1} aria-label={confirmLabel} aria-describedby={messageId} onKeyDown={onKeyDown}>
      <div className="confirm-step-message" id={messageId}>
        {children}
      </div>
      <div className="actions">
        <Button variant="danger" onClick={onConfirm} busy={busy}>
          {confirmLabel}
        </Button>
        <Button variant="secondary" onClick={cancel} disabled={busy}>
          {t('action.cancel')}
        </Button>
      </div>
    </div>
  );
}
