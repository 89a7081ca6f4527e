import { useEffect, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';

/**
 * The `token` of a mailed link, read once, then taken out of the address bar (a history
 * replace, so neither the history, a bookmark nor a shared screenshot keeps it). The token
 * stays in this component's memory only.
 */
export function useUrlToken(): string | null {
  const location = useLocation();
  const navigate = useNavigate();
  const [token] = useState(() => new URLSearchParams(location.search).get('token'));
  useEffect(() => {
    const params = new URLSearchParams(location.search);
    if (!params.has('token')) return;
    params.delete('token');
    const search = params.size ? `?${params}` : '';
    void navigate({ pathname: location.pathname, search, hash: location.hash }, { replace: true });
  }, [location, navigate]);
  return token;
}
