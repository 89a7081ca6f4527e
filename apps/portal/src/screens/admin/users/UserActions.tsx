import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { adminApi } from '../../../api/bearer-api';
import { heldToken } from '../../../auth/session';
import { Alert, Button } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { useAdminAccess } from '../access';
import { seg } from '../lib/text';
import { AdminErrorAlert } from '../ui/AdminError';
import { Badge } from '../ui/Details';
import { ConfirmAction } from '../ui/ConfirmAction';
import { ADMIN_ROLE, sessionsKey, userKey, type UserStatus, type UserView } from './user-types';

function useUserUpdate(user: UserView) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: { status?: UserStatus; roles?: string[] }) => adminApi.send<UserView>('PATCH', `/users/${seg(user.sub)}`, changes),
    onSuccess: (updated, changes) => {
      queryClient.setQueryData(userKey(user.sub), updated);
      void queryClient.invalidateQueries({ queryKey: ['admin', 'users'] });
      // Locking or disabling ends the person's sessions.
      if (changes.status && changes.status !== 'active') void queryClient.invalidateQueries({ queryKey: sessionsKey(user.sub) });
    },
  });
}

/** Lock, unlock, disable, reactivate: a locked or disabled account cannot sign in, and its sessions end. */
export function UserStatusSection({ user }: { user: UserView }) {
  const t = useT();
  const update = useUserUpdate(user);
  const setStatus = (status: UserStatus) => update.mutateAsync({ status });
  return (
    <section className="section" aria-labelledby="user-status">
      <h2 id="user-status">{t('admin.users.account')}</h2>
      <p>{t(`admin.users.status.${user.status}.body`)}</p>
      <AdminErrorAlert error={update.error} />
      <div className="actions">
        {user.status === 'active' && (
          <ConfirmAction label={t('admin.users.lock')} message={t('admin.users.lock.confirm', { email: user.email })} confirmLabel={t('admin.users.lock')} onConfirm={() => setStatus('locked')} />
        )}
        {user.status === 'locked' && (
          <Button busy={update.isPending} onClick={() => void setStatus('active').catch(() => undefined)}>
            {t('admin.users.unlock')}
          </Button>
        )}
        {user.status !== 'disabled' && (
          <ConfirmAction
            label={t('admin.users.disable')}
            message={t('admin.users.disable.confirm', { email: user.email })}
            confirmLabel={t('admin.users.disable')}
            onConfirm={() => setStatus('disabled')}
          />
        )}
        {user.status === 'disabled' && (
          <Button busy={update.isPending} onClick={() => void setStatus('active').catch(() => undefined)}>
            {t('admin.users.reactivate')}
          </Button>
        )}
      </div>
    </section>
  );
}

/** The roles the API knows (`admin`): granting or taking it asks first. */
export function UserRolesSection({ user }: { user: UserView }) {
  const t = useT();
  const { write } = useAdminAccess();
  const update = useUserUpdate(user);
  const isAdmin = user.roles.includes(ADMIN_ROLE);
  const isSelf = heldToken('admin')?.claims.sub === user.sub;
  return (
    <section className="section" aria-labelledby="user-roles">
      <h2 id="user-roles">{t('admin.users.roles')}</h2>
      <p>
        {isAdmin ? <Badge>{t('admin.users.role.admin')}</Badge> : <span className="muted">{t('admin.users.roles.none')}</span>}
      </p>
      <p className="muted">{t('admin.users.role.admin.hint')}</p>
      {write && (
        <>
          <AdminErrorAlert error={update.error} />
          {isAdmin ? (
            <ConfirmAction
              label={t('admin.users.role.revoke')}
              message={isSelf ? t('admin.users.role.revoke.self') : t('admin.users.role.revoke.confirm', { email: user.email })}
              confirmLabel={t('admin.users.role.revoke')}
              onConfirm={() => update.mutateAsync({ roles: user.roles.filter((r) => r !== ADMIN_ROLE) })}
            />
          ) : (
            <ConfirmAction
              variant="secondary"
              label={t('admin.users.role.grant')}
              message={t('admin.users.role.grant.confirm', { email: user.email })}
              confirmLabel={t('admin.users.role.grant')}
              onConfirm={() => update.mutateAsync({ roles: [...user.roles, ADMIN_ROLE] })}
            />
          )}
        </>
      )}
    </section>
  );
}

/** Reset MFA (a lost device), end every session: both ask first and say what they did. */
export function UserSecuritySection({ user }: { user: UserView }) {
  const t = useT();
  const queryClient = useQueryClient();
  const [done, setDone] = useState<string | null>(null);
  const factorName = (f: string) => (f === 'totp' ? t('admin.users.factor.totp') : f === 'recovery_code' ? t('admin.users.factor.recovery_code') : f);
  const resetMfa = useMutation({
    mutationFn: () => adminApi.send<{ removed: string[] }>('POST', `/users/${seg(user.sub)}/mfa/reset`),
    onSuccess: ({ removed }) =>
      setDone(removed.length ? t('admin.users.mfa.done', { removed: removed.map(factorName).join(', ') }) : t('admin.users.mfa.nothing')),
  });
  const endSessions = useMutation({
    mutationFn: () => adminApi.send<{ ended: number }>('DELETE', `/users/${seg(user.sub)}/sessions`),
    onSuccess: ({ ended }) => {
      setDone(t('admin.users.sessions.ended', { count: ended }));
      void queryClient.invalidateQueries({ queryKey: sessionsKey(user.sub) });
    },
  });
  return (
    <section className="section" aria-labelledby="user-security">
      <h2 id="user-security">{t('admin.users.security')}</h2>
      {done && <Alert tone="success">{done}</Alert>}
      <AdminErrorAlert error={resetMfa.error ?? endSessions.error} />
      <div className="stack">
        <div>
          <p className="muted">{t('admin.users.mfa.body')}</p>
          <ConfirmAction
            label={t('admin.users.mfa.reset')}
            message={t('admin.users.mfa.confirm', { email: user.email })}
            confirmLabel={t('admin.users.mfa.reset')}
            onConfirm={() => {
              setDone(null);
              return resetMfa.mutateAsync();
            }}
          />
        </div>
        <div>
          <p className="muted">{t('admin.users.sessions.endBody')}</p>
          <ConfirmAction
            label={t('admin.users.sessions.end')}
            message={t('admin.users.sessions.confirm', { email: user.email })}
            confirmLabel={t('admin.users.sessions.end')}
            onConfirm={() => {
              setDone(null);
              return endSessions.mutateAsync();
            }}
          />
        </div>
      </div>
    </section>
  );
}
