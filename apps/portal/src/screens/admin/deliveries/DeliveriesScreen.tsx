import { PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { BackchannelDeliveries } from './BackchannelDeliveries';
import { DeadLetters } from './DeadLetters';

/** `/admin/deliveries`: what did not get through: back-channel logout notices and dead-lettered events. */
export default function DeliveriesScreen() {
  const t = useT();
  return (
    <>
      <PageTitle>{t('admin.deliveries.title')}</PageTitle>
      <BackchannelDeliveries />
      <DeadLetters />
    </>
  );
}
