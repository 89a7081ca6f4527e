import { useState, type FormEvent } from 'react';
import { Button, TextField } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { FILTER_NAMES, isoFromLocal, type AuditFilters } from './audit-filters';

/** The filters the audit API supports; applied on submit, so each search is one request. */
export function AuditFiltersForm({ initial, errors, onApply }: { initial: AuditFilters; errors: Partial<Record<keyof AuditFilters, string>>; onApply(f: AuditFilters): void }) {
  const t = useT();
  const [draft, setDraft] = useState(initial);
  const [local, setLocal] = useState<Partial<Record<keyof AuditFilters, string>>>({});
  const shown = { ...errors, ...local };
  const field = (name: keyof AuditFilters) => ({
    value: draft[name],
    error: shown[name],
    onChange: (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [name]: e.target.value })),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const since = isoFromLocal(draft.since);
    const until = isoFromLocal(draft.until);
    const found = since && until && since >= until ? { until: t('admin.audit.until.beforeSince') } : {};
    setLocal(found);
    if (!found.until) onApply(draft);
  };
  const clear = () => {
    const empty = Object.fromEntries(FILTER_NAMES.map((n) => [n, ''])) as unknown as AuditFilters;
    setDraft(empty);
    setLocal({});
    onApply(empty);
  };
  return (
    <form className="section" onSubmit={submit} aria-labelledby="audit-filters" noValidate>
      <h2 id="audit-filters">{t('admin.audit.filters')}</h2>
      <div className="admin-filters">
        <TextField label={t('admin.audit.actor')} hint={t('admin.audit.actor.hint')} autoComplete="off" spellCheck={false} {...field('actor')} />
        <TextField label={t('admin.audit.subject')} hint={t('admin.audit.subject.hint')} autoComplete="off" spellCheck={false} {...field('subject')} />
        <TextField label={t('admin.audit.client')} autoComplete="off" spellCheck={false} {...field('client_id')} />
        <TextField label={t('admin.audit.type')} hint={t('admin.audit.type.hint')} autoComplete="off" spellCheck={false} {...field('type')} />
        <TextField label={t('admin.audit.since')} type="datetime-local" {...field('since')} />
        <TextField label={t('admin.audit.until')} type="datetime-local" {...field('until')} />
      </div>
      <div className="actions">
        <Button type="submit">{t('admin.audit.apply')}</Button>
        <Button variant="secondary" onClick={clear}>
          {t('admin.audit.clear')}
        </Button>
      </div>
    </form>
  );
}
