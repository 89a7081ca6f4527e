import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { loginApi, type PendingLink } from './login-api';

export interface PendingLinkState {
  /** The link waiting for this browser's sign-in, unless the person declined it or it is gone. */
  pending?: PendingLink;
  /** The page was sent here for a link but none is waiting any more (expired, or done elsewhere). */
  gone: boolean;
  loading: boolean;
  decline(): void;
  declining: boolean;
  declineError: unknown;
}

/** `link=required`: an upstream sign-in matched a local account; the person signs in to it, then confirms. */
export function usePendingLink(required: boolean): PendingLinkState {
  const query = useQuery({ queryKey: ['flows', 'upstream-link'], queryFn: loginApi.pendingLink, enabled: required, staleTime: Infinity });
  const [declined, setDeclined] = useState(false);
  const cancel = useMutation({ mutationFn: loginApi.cancelLink, onSuccess: () => setDeclined(true) });
  return {
    pending: required && !declined ? query.data : undefined,
    gone: required && query.isError,
    loading: required && query.isPending,
    decline: () => cancel.mutate(),
    declining: cancel.isPending,
    declineError: cancel.error,
  };
}
