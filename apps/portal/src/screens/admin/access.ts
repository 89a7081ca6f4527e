import { createContext, useContext } from 'react';

/** What the held admin token lets this person do: `admin:write` does not imply `admin:read`. */
export interface AdminAccess {
  read: boolean;
  write: boolean;
}

export const accessOf = (scope: readonly string[]): AdminAccess => ({ read: scope.includes('admin:read'), write: scope.includes('admin:write') });

export const AdminAccessContext = createContext<AdminAccess>({ read: false, write: false });

/** Write actions are hidden from a read-only administrator rather than refused after a click. */
export const useAdminAccess = () => useContext(AdminAccessContext);
