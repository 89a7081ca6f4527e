import { lazy, Suspense, type ComponentType, type ReactNode } from 'react';
import { Loading } from './components/Loading';

/**
 * A screen loaded on first visit: the login page ships only what the login page needs (its
 * JavaScript budget is 150 kB gzipped), the account and admin screens come when opened.
 */
export function lazyScreen(load: () => Promise<{ default: ComponentType }>): ReactNode {
  const Screen = lazy(load);
  return (
    <Suspense fallback={<Loading />}>
      <Screen />
    </Suspense>
  );
}
