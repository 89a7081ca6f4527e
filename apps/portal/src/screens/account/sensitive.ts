import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { isApiError } from '../../api/api-error';

/** What a sensitive account call may carry: the current password, instead of a recent sign-in. */
export interface CurrentPassword {
  current_password?: string;
}

/** A change the server refused for want of a recent sign-in, and the two ways to go on. */
export interface Reauthentication {
  /** The sign-in age the server asks for, in seconds. */
  maxAge?: number;
  /** Sends the same change again with the current password. */
  withPassword(password: string): void;
  cancel(): void;
}

/**
 * A mutation for a sensitive change (password, email, a factor, a passkey, a link, deletion):
 * when the server answers `reauthentication_required`, `reauth` holds what the person was doing
 * so that it can be sent again with their current password.
 */
export function useSensitiveMutation<V extends object, R>(options: {
  mutationFn: (vars: V & CurrentPassword) => Promise<R>;
  onSuccess?: (result: R, vars: V & CurrentPassword) => unknown;
  /** The person gave up at the "confirm it's you" step. */
  onCancel?: () => void;
}) {
  const [pending, setPending] = useState<{ vars: V; maxAge?: number } | null>(null);
  const mutation = useMutation<R, unknown, V & CurrentPassword>({
    mutationFn: options.mutationFn,
    onSuccess: (result, vars) => {
      setPending(null);
      return options.onSuccess?.(result, vars);
    },
    onError: (error, vars) => {
      if (isApiError(error, 'reauthentication_required')) {
        const { current_password: _ignored, ...rest } = vars;
        setPending({ vars: rest as V, maxAge: error.maxAge });
      }
    },
  });
  const reauth: Reauthentication | null = pending && {
    maxAge: pending.maxAge,
    withPassword: (password) => mutation.mutate({ ...pending.vars, current_password: password }),
    cancel: () => {
      setPending(null);
      mutation.reset();
      options.onCancel?.();
    },
  };
  return { mutation, reauth };
}

export type SensitiveMutation<V extends object, R> = ReturnType<typeof useSensitiveMutation<V, R>>;
