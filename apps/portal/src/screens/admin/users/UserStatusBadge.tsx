import { useT } from '../../../i18n/i18n';
import { Badge } from '../ui/Details';
import type { UserStatus } from './user-types';

export function UserStatusBadge({ status }: { status: UserStatus }) {
  const t = useT();
  return <Badge tone={status === 'active' ? 'success' : 'danger'}>{t(`admin.users.status.${status}`)}</Badge>;
}
