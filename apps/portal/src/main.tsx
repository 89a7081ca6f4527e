import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { loadCatalog } from './i18n/catalogs';
import { initialLocale } from './i18n/i18n';

// The person's language is fetched before the first render, so no screen flashes in another.
const locale = initialLocale();
void loadCatalog(locale).then((catalog) =>
  createRoot(document.getElementById('root') as HTMLElement).render(
    <StrictMode>
      <App locale={locale} catalog={catalog} />
    </StrictMode>,
  ),
);
