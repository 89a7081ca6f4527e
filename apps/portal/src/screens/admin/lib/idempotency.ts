import { useMemo, useRef } from 'react';

/**
 * The `Idempotency-Key` of one create. A new key for each new request (each change to what is
 * sent); the same key when the same request is sent again after a failure or a lost answer, so
 * the admin API answers its first answer again rather than creating a second client (whose
 * secret would then be shown nowhere). `done()` after a success: the next create is a new one.
 */
export function useIdempotencyKey(): { keyFor(body: unknown): string; done(): void } {
  const last = useRef<{ body: string; key: string } | null>(null);
  return useMemo(
    () => ({
      keyFor(body: unknown) {
        const json = JSON.stringify(body);
        if (last.current?.body !== json) last.current = { body: json, key: crypto.randomUUID() };
        return last.current.key;
      },
      done() {
        last.current = null;
      },
    }),
    [],
  );
}
