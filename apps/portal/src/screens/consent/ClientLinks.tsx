import type { MessageKey } from '../../i18n/catalogs';
import { useT } from '../../i18n/i18n';
import type { ConsentClient } from './consent-api';
import { safeHttpUrl } from '../../navigation/safe-url';

const LINKS: Array<{ field: 'client_uri' | 'policy_uri' | 'tos_uri'; label: MessageKey }> = [
  { field: 'client_uri', label: 'consent.link.homepage' },
  { field: 'policy_uri', label: 'consent.link.privacy' },
  { field: 'tos_uri', label: 'consent.link.terms' },
];

/** The app's homepage and policies, so a person can check who they are dealing with. */
export function ClientLinks({ client, appName }: { client?: ConsentClient; appName: string }) {
  const t = useT();
  const links = LINKS.map((l) => ({ ...l, href: safeHttpUrl(client?.[l.field]) })).filter((l) => l.href);
  if (!links.length) return null;
  return (
    <ul className="consent-links" aria-label={t('consent.links.label', { app: appName })}>
      {links.map((l) => (
        <li key={l.field}>
          <a href={l.href} rel="noopener noreferrer">
            {t(l.label)}
          </a>
        </li>
      ))}
    </ul>
  );
}
