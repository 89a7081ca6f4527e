import { safeImageUrl } from '../../navigation/safe-url';
import './consent.css';

/**
 * An app as a person recognises it: its logo and its name. The logo is decoration (`alt=""`):
 * the name beside it says the same thing to a screen reader.
 */
export function AppIdentity({ name, logoUri, large = false }: { name: string; logoUri?: string; large?: boolean }) {
  const logo = safeImageUrl(logoUri);
  return (
    <span className={large ? 'app-identity app-identity-large' : 'app-identity'}>
      {logo && <img src={logo} alt="" referrerPolicy="no-referrer" loading="lazy" />}
      <span>{name}</span>
    </span>
  );
}
