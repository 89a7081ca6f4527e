import { cleanup, configure } from '@testing-library/react';

// Testing Library gives findBy* and waitFor 1 s by default. CI runs these suites beside the
// database and browser suites on two cores, where a screen's first render (its route's module
// graph loading in jsdom) took longer once (AuditScreen.spec, 2026-11-29) and failed a check
// that had nothing wrong with it. A screen that never renders still fails, after 5 s.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
  document.cookie.split(';').forEach((c) => {
    const name = c.split('=')[0]?.trim();
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  });
  window.sessionStorage.clear();
});
