import { DeadLetterEntity } from './dead-letter.entity';
import { EventInboxEntity } from './event-inbox.entity';
import { OutboxEntity } from './outbox.entity';
import { ProcessedEventEntity } from './processed-event.entity';

export { DeadLetterEntity, EventInboxEntity, OutboxEntity, ProcessedEventEntity };

/** Add these to the service's own DataSource: every service owns its outbox. */
export const EVENTS_ENTITIES = [OutboxEntity, ProcessedEventEntity, DeadLetterEntity, EventInboxEntity];
