import { useT } from '../../../i18n/i18n';
import { Badge } from '../ui/Details';
import { isBuiltIn, isPublicClient, type ClientView } from './client-types';

export function ClientStatusBadge({ client }: { client: Pick<ClientView, 'disabled'> }) {
  const t = useT();
  return client.disabled ? <Badge tone="danger">{t('admin.status.disabled')}</Badge> : <Badge tone="success">{t('admin.status.enabled')}</Badge>;
}

/** Public or confidential, and the policy flags an administrator looks for. */
export function ClientTypeBadges({ client }: { client: ClientView }) {
  const t = useT();
  return (
    <span className="row">
      <span>{isPublicClient(client) ? t('admin.clients.type.public') : t('admin.clients.type.confidential')}</span>
      {isBuiltIn(client) && <Badge>{t('admin.clients.flag.builtIn')}</Badge>}
      {client.first_party && <Badge>{t('admin.clients.flag.firstParty')}</Badge>}
      {client.admin && <Badge>{t('admin.clients.flag.admin')}</Badge>}
      {client.dynamic && <Badge>{t('admin.clients.flag.dynamic')}</Badge>}
    </span>
  );
}
