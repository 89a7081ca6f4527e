import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { adminApi } from '../../../api/bearer-api';
import { Alert, Button, EmptyState, PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { useAdminAccess } from '../access';
import { Time } from '../lib/dates';
import { seg } from '../lib/text';
import { AdminErrorAlert } from '../ui/AdminError';
import { ConfirmAction } from '../ui/ConfirmAction';
import { Badge } from '../ui/Details';
import { SelectField } from '../ui/Fields';
import { QueryState } from '../ui/QueryState';

/** A signing key's public side, as the token service describes it (times in epoch seconds). */
interface SigningKeyView {
  kid: string;
  alg: string;
  state: 'next' | 'current' | 'retired';
  createdAt: number;
  activatedAt?: number;
  retiredAt?: number;
  /** A retired key is still published (its tokens verify) until then. */
  publishUntil?: number;
}

const ALGS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const;
const KEYS_KEY = ['admin', 'keys'] as const;

/** A rotated-out key still verifying its tokens: the one kind that can be retired now. */
const stillPublished = (k: SigningKeyView, now: number) => k.state === 'retired' && (k.publishUntil ?? 0) >= now;

/** `/admin/keys`: the signing keys, rotation now, and retiring a rotated-out key that leaked. */
export default function KeysScreen() {
  const t = useT();
  const { write } = useAdminAccess();
  const queryClient = useQueryClient();
  const [alg, setAlg] = useState('');
  const [rotated, setRotated] = useState<string | null>(null);
  const query = useQuery({ queryKey: KEYS_KEY, queryFn: () => adminApi.get<SigningKeyView[]>('/keys') });
  const rotate = useMutation({
    mutationFn: () => adminApi.send<{ rotated: Array<{ alg: string; kid?: string }> }>('POST', '/keys/rotate', alg ? { alg } : {}),
    onSuccess: (result) => {
      setRotated(t('admin.keys.rotated', { algs: result.rotated.map((r) => r.alg).join(', ') }));
      void queryClient.invalidateQueries({ queryKey: KEYS_KEY });
    },
  });
  const retire = useMutation({
    mutationFn: (kid: string) => adminApi.send<unknown>('POST', `/keys/${seg(kid)}/retire`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: KEYS_KEY }),
  });
  const now = Math.floor(Date.now() / 1000);

  const stateBadge = (k: SigningKeyView) => {
    if (k.state === 'current') return <Badge tone="success">{t('admin.keys.state.current')}</Badge>;
    if (k.state === 'next') return <Badge>{t('admin.keys.state.next')}</Badge>;
    return stillPublished(k, now) ? <Badge>{t('admin.keys.state.retiring')}</Badge> : <Badge tone="danger">{t('admin.keys.state.retired')}</Badge>;
  };

  return (
    <>
      <PageTitle>{t('admin.keys.title')}</PageTitle>
      <p className="muted">{t('admin.keys.intro')}</p>
      {write && (
        <section className="section" aria-labelledby="keys-rotate">
          <h2 id="keys-rotate">{t('admin.keys.rotate.title')}</h2>
          <p className="muted">{t('admin.keys.rotate.body')}</p>
          {rotated && <Alert tone="success">{rotated}</Alert>}
          <AdminErrorAlert error={rotate.error} />
          <div className="admin-search">
            <SelectField
              label={t('admin.keys.alg')}
              value={alg}
              onChange={(e) => setAlg(e.target.value)}
              options={[{ value: '', label: t('admin.keys.alg.all') }, ...ALGS.map((a) => ({ value: a, label: a }))]}
            />
            <Button
              busy={rotate.isPending}
              onClick={() => {
                setRotated(null);
                rotate.mutate();
              }}
            >
              {t('admin.keys.rotate')}
            </Button>
          </div>
        </section>
      )}
      <AdminErrorAlert error={retire.error} />
      <QueryState query={query}>
        {(keys) =>
          keys.length === 0 ? (
            <EmptyState title={t('admin.keys.empty')} />
          ) : (
            <div className="admin-table-wrap" role="region" aria-label={t('admin.keys.title')} tabIndex={0}>
              <table className="data">
                <caption className="visually-hidden">{t('admin.keys.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('admin.keys.kid')}</th>
                    <th scope="col">{t('admin.keys.alg')}</th>
                    <th scope="col">{t('admin.col.status')}</th>
                    <th scope="col">{t('admin.col.created')}</th>
                    <th scope="col">{t('admin.keys.activated')}</th>
                    <th scope="col">{t('admin.keys.publishedUntil')}</th>
                    {write && <th scope="col">{t('admin.col.actions')}</th>}
                  </tr>
                </thead>
                <tbody>
                  {[...keys]
                    .sort((a, b) => b.createdAt - a.createdAt)
                    .map((k) => (
                      <tr key={k.kid}>
                        <td>
                          <code>{k.kid}</code>
                        </td>
                        <td>{k.alg}</td>
                        <td>{stateBadge(k)}</td>
                        <td className="admin-nowrap">
                          <Time value={k.createdAt} />
                        </td>
                        <td className="admin-nowrap">
                          <Time value={k.activatedAt} />
                        </td>
                        <td className="admin-nowrap">
                          <Time value={k.state === 'retired' ? k.publishUntil : undefined} />
                        </td>
                        {write && (
                          <td>
                            {stillPublished(k, now) && (
                              <ConfirmAction
                                label={t('admin.keys.retire')}
                                triggerLabel={t('admin.keys.retire.named', { kid: k.kid })}
                                message={t('admin.keys.retire.confirm', { kid: k.kid })}
                                confirmLabel={t('admin.keys.retire')}
                                onConfirm={() => retire.mutateAsync(k.kid)}
                              />
                            )}
                          </td>
                        )}
                      </tr>
                    ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
    </>
  );
}
