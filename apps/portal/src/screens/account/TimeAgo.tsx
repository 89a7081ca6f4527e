import { useFormat } from './format';

/** A moment as "3 hours ago", the exact date and time on hover and in the markup. */
export function TimeAgo({ at }: { at: number }) {
  const format = useFormat();
  return (
    <time dateTime={format.iso(at)} title={format.dateTime(at)}>
      {format.relative(at)}
    </time>
  );
}
