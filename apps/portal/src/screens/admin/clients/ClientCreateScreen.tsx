import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { adminApi } from '../../../api/bearer-api';
import { Alert, PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { useAdminAccess } from '../access';
import { useIdempotencyKey } from '../lib/idempotency';
import { seg } from '../lib/text';
import { SecretBox } from '../ui/SecretBox';
import { EMPTY_CLIENT_FORM, metadataFromForm, type ClientFormValues } from './client-form-model';
import { ClientForm } from './ClientForm';
import type { ClientView } from './client-types';

/** `/admin/clients/new`: register a client; a confidential client's secret is shown here, once. */
export default function ClientCreateScreen() {
  const t = useT();
  const { write } = useAdminAccess();
  const queryClient = useQueryClient();
  const idempotency = useIdempotencyKey();
  const [created, setCreated] = useState<ClientView | null>(null);
  const create = useMutation({
    mutationFn: (values: ClientFormValues) => {
      const body = metadataFromForm(values, 'create');
      return adminApi.send<ClientView>('POST', '/clients', body, { 'Idempotency-Key': idempotency.keyFor(body) });
    },
    onSuccess: (client) => {
      idempotency.done();
      setCreated(client);
      void queryClient.invalidateQueries({ queryKey: ['admin', 'clients'] });
    },
  });

  return (
    <>
      <PageTitle>{t('admin.clients.new.title')}</PageTitle>
      {!write ? (
        <Alert tone="info">{t('admin.readOnly')}</Alert>
      ) : created ? (
        <Created client={created} />
      ) : (
        <ClientForm initial={EMPTY_CLIENT_FORM} error={create.error} busy={create.isPending} submitLabel={t('admin.clients.new.submit')} onSubmit={(v) => create.mutate(v)} />
      )}
    </>
  );
}

function Created({ client }: { client: ClientView }) {
  const t = useT();
  const heading = useRef<HTMLHeadingElement>(null);
  const [secret, setSecret] = useState(client.client_secret);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="section" aria-labelledby="client-created">
      <h2 id="client-created" ref={heading} tabIndex={-1}>
        {t('admin.clients.created', { name: client.client_name || client.client_id })}
      </h2>
      <p>
        {t('admin.clients.created.id')} <code>{client.client_id}</code>
      </p>
      {secret && <SecretBox secret={secret} onDismiss={() => setSecret(undefined)} />}
      <p>
        <Link to={`/admin/clients/${seg(client.client_id)}`}>{t('admin.clients.created.open')}</Link>
      </p>
    </section>
  );
}
