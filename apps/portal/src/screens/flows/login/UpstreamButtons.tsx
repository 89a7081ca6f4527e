import { useT } from '../../../i18n/i18n';
import type { LoginMethod } from './login-api';

/** The provider's start address with this challenge; nothing for an address that is not http(s). */
export function upstreamStartUrl(startUrl: string, challenge: string): string | undefined {
  try {
    const url = new URL(startUrl, window.location.origin);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    url.searchParams.set('login_challenge', challenge);
    return url.href;
  } catch {
    return undefined;
  }
}

/** "Sign in with <provider>": plain links, since the whole page goes to the provider and comes back. */
export function UpstreamButtons({ challenge, methods }: { challenge: string; methods: LoginMethod[] }) {
  const t = useT();
  const providers = methods
    .filter((m) => m.type === 'upstream' && m.start_url)
    .map((m) => ({ key: m.id ?? m.start_url, name: m.name || m.id || '', href: upstreamStartUrl(m.start_url as string, challenge) }))
    .filter((p) => p.href);
  if (!providers.length) return null;
  return (
    <ul className="factor-choices" aria-label={t('login.upstream.label')}>
      {providers.map((p) => (
        <li key={p.key}>
          <a className="btn btn-secondary btn-block" href={p.href}>
            {t('login.upstream.button', { name: p.name })}
          </a>
        </li>
      ))}
    </ul>
  );
}
