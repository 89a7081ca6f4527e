import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Button } from '../../../components';
import { useT } from '../../../i18n/i18n';

export interface ConfirmActionProps {
  /** The button that asks first. */
  label: string;
  /** Its accessible name when `label` alone is ambiguous (one "Retire" button per row). */
  triggerLabel?: string;
  /** What will happen, in a sentence: the confirmation's label. */
  message: ReactNode;
  confirmLabel: string;
  /** Options of the action (a checkbox), shown with the question. */
  children?: ReactNode;
  /** Resolves when done (the question closes); a rejection keeps it open, the caller shows why. */
  onConfirm: () => Promise<unknown>;
  variant?: 'danger' | 'secondary';
  disabled?: boolean;
}

/**
 * A destructive action behind an inline confirm step (never `window.confirm`, which a browser
 * may suppress and which cannot hold options): the question takes focus, Escape or Cancel puts
 * focus back on the button that asked.
 */
export function ConfirmAction({ label, triggerLabel, message, confirmLabel, children, onConfirm, variant = 'danger', disabled }: ConfirmActionProps) {
  const t = useT();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  // Button takes no ref: its wrapper finds it.
  const trigger = useRef<HTMLSpanElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (open) panel.current?.focus();
    else if (wasOpen.current) trigger.current?.querySelector('button')?.focus();
    wasOpen.current = open;
  }, [open]);

  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
      setOpen(false);
    } catch {
      // The caller shows the error; the question stays for another try.
    } finally {
      setBusy(false);
    }
  };

  if (!open) {
    return (
      <span ref={trigger}>
        <Button variant={variant} disabled={disabled} aria-label={triggerLabel} onClick={() => setOpen(true)}>
          {label}
        </Button>
      </span>
    );
  }
  return (
    <div
      ref={panel}
      className="admin-confirm"
      role="group"
      aria-labelledby={`${id}-question`}
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !busy) setOpen(false);
      }}
    >
      <p id={`${id}-question`}>{message}</p>
      {children}
      <div className="actions">
        <Button variant="danger" busy={busy} onClick={() => void confirm()}>
          {confirmLabel}
        </Button>
        <Button variant="secondary" disabled={busy} onClick={() => setOpen(false)}>
          {t('action.cancel')}
        </Button>
      </div>
    </div>
  );
}
