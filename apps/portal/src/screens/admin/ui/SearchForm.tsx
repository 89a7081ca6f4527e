import { useState, type FormEvent, type ReactNode } from 'react';
import { Button, TextField } from '../../../components';
import { useT } from '../../../i18n/i18n';

/**
 * A search box that searches on submit (Enter or the button), not at each keystroke: the lists
 * behind it are paged server-side. Keyed by the current search, it follows back and forward.
 */
export function SearchForm({ label, hint, initial, onSearch, children }: { label: string; hint?: string; initial: string; onSearch(value: string): void; children?: ReactNode }) {
  const t = useT();
  const [draft, setDraft] = useState(initial);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch(draft.trim());
  };
  return (
    <form role="search" className="admin-search" onSubmit={submit}>
      <TextField label={label} hint={hint} type="search" autoComplete="off" spellCheck={false} value={draft} onChange={(e) => setDraft(e.target.value)} />
      {children}
      <Button type="submit" variant="secondary">
        {t('admin.search')}
      </Button>
    </form>
  );
}
