import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { adminApi } from '../../../api/bearer-api';
import { Alert, Button, PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { useAdminAccess } from '../access';
import { seg } from '../lib/text';
import { QueryState } from '../ui/QueryState';
import { BuiltInSecretSection, ClientDeleteSection, ClientRevokeSection, ClientSecretSection, ClientStatusSection } from './ClientActions';
import { ClientDetails } from './ClientDetails';
import { formFromClient, metadataFromForm, type ClientFormValues } from './client-form-model';
import { ClientForm } from './ClientForm';
import { clientKey, hasSecret, isBuiltIn, withoutSecret, type ClientView } from './client-types';

/** `/admin/clients/:id`: one client, its settings, and what can be done to it. */
export default function ClientScreen() {
  const t = useT();
  const { id = '' } = useParams();
  const query = useQuery({ queryKey: clientKey(id), queryFn: () => adminApi.get<ClientView>(`/clients/${seg(id)}`) });
  return (
    <>
      <PageTitle>{query.data?.client_name || id}</PageTitle>
      <p>
        <Link to="/admin/clients">{t('admin.clients.back')}</Link>
      </p>
      <QueryState query={query}>{(client) => <ClientPage client={client} />}</QueryState>
    </>
  );
}

function ClientPage({ client }: { client: ClientView }) {
  const t = useT();
  const { write } = useAdminAccess();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const builtIn = isBuiltIn(client);
  const edit = useMutation({
    mutationFn: (values: ClientFormValues) => adminApi.send<ClientView>('PATCH', `/clients/${seg(client.client_id)}`, metadataFromForm(values, 'edit', client)),
    onSuccess: (updated) => {
      queryClient.setQueryData(clientKey(client.client_id), withoutSecret(updated));
      void queryClient.invalidateQueries({ queryKey: ['admin', 'clients'] });
      setEditing(false);
      setSaved(true);
    },
  });

  return (
    <>
      {builtIn && (
        <Alert tone="info" title={t('admin.clients.builtIn.title')}>
          <p>{t('admin.clients.builtIn.body')}</p>
        </Alert>
      )}
      <section className="section" aria-labelledby="client-settings">
        <h2 id="client-settings">{editing ? t('admin.clients.edit.title') : t('admin.clients.settings')}</h2>
        {saved && !editing && <Alert tone="success">{t('admin.saved')}</Alert>}
        {editing ? (
          <ClientForm
            builtIn={builtIn}
            initial={formFromClient(client)}
            error={edit.error}
            busy={edit.isPending}
            submitLabel={t('action.save')}
            onSubmit={(v) => edit.mutate(v)}
            onCancel={() => {
              edit.reset();
              setEditing(false);
            }}
          />
        ) : (
          <>
            <ClientDetails client={client} />
            {write && (
              <div className="actions">
                <Button
                  variant="secondary"
                  onClick={() => {
                    setSaved(false);
                    setEditing(true);
                  }}
                >
                  {t('admin.edit')}
                </Button>
              </div>
            )}
          </>
        )}
      </section>
      {write && (
        <>
          {hasSecret(client) && (builtIn ? <BuiltInSecretSection /> : <ClientSecretSection client={client} />)}
          <ClientStatusSection client={client} />
          <ClientRevokeSection client={client} />
          {/* A built-in client cannot be deleted: the notice above says why. */}
          {!builtIn && <ClientDeleteSection client={client} />}
        </>
      )}
    </>
  );
}
