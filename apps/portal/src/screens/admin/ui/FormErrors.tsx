import { useEffect, useRef, type RefObject } from 'react';
import { Alert } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { AdminErrorAlert } from './AdminError';

/**
 * A refused form's summary: "check the fields" when the errors sit next to their fields, the
 * error itself when it belongs to no field.
 */
export function FormErrors({ error, fieldCount }: { error: unknown; fieldCount: number }) {
  const t = useT();
  if (fieldCount > 0) return <Alert>{t('admin.form.checkFields')}</Alert>;
  return <AdminErrorAlert error={error} />;
}

/**
 * After a refused submit (a new local check, a new server error), focus goes to the first field
 * marked invalid: keyboard and screen-reader users land on what to fix.
 */
export function useFocusFirstInvalid(form: RefObject<HTMLFormElement | null>, triggers: readonly unknown[]) {
  const seen = useRef(triggers);
  useEffect(() => {
    const changed = triggers.some((v, i) => !Object.is(v, seen.current[i]));
    seen.current = triggers;
    if (changed) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  });
}
