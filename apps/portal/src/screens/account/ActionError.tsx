import { isApiError } from '../../api/api-error';
import { ErrorAlert } from '../../components';
import { ReauthPrompt } from './ReauthPrompt';
import type { Reauthentication } from './sensitive';

/**
 * What went wrong with a change: the "confirm it's you" step when the server wants a recent
 * sign-in, otherwise the error as an alert, except the codes the form shows next to a field.
 */
export function ActionError({
  error,
  reauth,
  busy = false,
  fieldCodes = [],
}: {
  error: unknown;
  reauth?: Reauthentication | null;
  busy?: boolean;
  fieldCodes?: string[];
}) {
  if (reauth) return <ReauthPrompt reauth={reauth} error={error} busy={busy} />;
  if (isApiError(error) && fieldCodes.includes(error.code)) return null;
  return <ErrorAlert error={error} />;
}
