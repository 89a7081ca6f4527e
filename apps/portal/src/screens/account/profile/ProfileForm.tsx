import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { isApiError } from '../../../api/api-error';
import { accountApi } from '../../../api/bearer-api';
import { Button, ErrorAlert, Notice, TextField } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { accountKeys, type Profile } from '../account-api';
import { changeOf, fieldOfProblem, problemOf, PROFILE_FIELDS, PROFILE_GROUPS, valuesOf, type ProfileValues } from './profile-fields';

const PROBLEM_KEYS = {
  url: 'account.profile.invalid.url',
  birthdate: 'account.profile.invalid.birthdate',
  phone: 'account.profile.invalid.phone',
  locale: 'account.profile.invalid.locale',
} as const;

/** The profile claims a person may edit; only what changed is sent. */
export function ProfileForm({ profile }: { profile: Profile }) {
  const t = useT();
  const queryClient = useQueryClient();
  const form = useRef<HTMLFormElement>(null);
  const [saved, setSaved] = useState<ProfileValues>(() => valuesOf(profile.claims));
  const [values, setValues] = useState<ProfileValues>(saved);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<'saved' | 'unchanged' | null>(null);

  const save = useMutation({
    mutationFn: (claims: Record<string, unknown>) => accountApi.send<Pick<Profile, 'sub' | 'claims' | 'updated_at'>>('PATCH', '', { claims }),
    onSuccess: (answer) => {
      queryClient.setQueryData<Profile>(accountKeys.profile, (old) => old && { ...old, claims: answer.claims, updated_at: answer.updated_at });
      const now = valuesOf(answer.claims);
      setSaved(now);
      setValues(now);
      setNotice('saved');
    },
    onError: (error) => {
      // The server names the claim it refused: put its words next to that field.
      const field = isApiError(error, 'invalid_request') ? fieldOfProblem(error.description) : undefined;
      if (field && isApiError(error)) showErrors({ [field]: error.description });
    },
  });

  const showErrors = (found: Record<string, string>) => {
    setErrors(found);
    const first = PROFILE_FIELDS.find((f) => found[f.name]);
    if (first) form.current?.querySelector<HTMLInputElement>(`[name="${first.name}"]`)?.focus();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    save.reset();
    const found: Record<string, string> = {};
    for (const field of PROFILE_FIELDS) {
      const problem = problemOf(field, values[field.name] ?? '');
      if (problem) found[field.name] = t(PROBLEM_KEYS[problem]);
    }
    showErrors(found);
    if (Object.keys(found).length) return;
    const change = changeOf(profile.claims, saved, values);
    if (!Object.keys(change).length) return setNotice('unchanged');
    save.mutate(change);
  };

  const serverFieldError = isApiError(save.error, 'invalid_request') && fieldOfProblem(save.error.description);
  return (
    <form ref={form} onSubmit={submit} noValidate className="stack">
      {notice === 'saved' && <Notice>{t('account.profile.saved')}</Notice>}
      {notice === 'unchanged' && <Notice tone="info">{t('account.profile.unchanged')}</Notice>}
      {!serverFieldError && <ErrorAlert error={save.error} />}
      {PROFILE_GROUPS.map((group) => (
        <fieldset key={group.legend} className="field-group">
          <legend>{t(group.legend)}</legend>
          <div className="field-grid">
            {group.fields.map((field) => (
              <TextField
                key={field.name}
                name={field.name}
                label={t(field.label)}
                hint={field.hint && t(field.hint)}
                type={field.type ?? 'text'}
                autoComplete={field.autoComplete}
                value={values[field.name] ?? ''}
                onChange={(e) => {
                  const value = e.target.value;
                  setValues((v) => ({ ...v, [field.name]: value }));
                }}
                error={errors[field.name]}
              />
            ))}
          </div>
        </fieldset>
      ))}
      <div className="actions">
        <Button type="submit" busy={save.isPending}>
          {t('account.profile.save')}
        </Button>
      </div>
    </form>
  );
}
