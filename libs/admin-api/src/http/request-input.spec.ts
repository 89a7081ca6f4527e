import { Problem } from './problem';
import { decodeCursor, encodeCursor, instant, pageSize, pathId } from './request-input';

describe('request input', () => {
  it('takes ids that are safe to forward into an internal URL, and answers 404 for the others', () => {
    for (const id of ['tessera-cli', '5f0c6a3e-9d1b-4c2e-8f3a-1b2c3d4e5f60', 'a.b_c~d:e@f']) expect(pathId(id, 'client')).toBe(id);
    for (const id of ['.', '..', '', 'a/b', 'a?b', 'a#b', 'a%2Fb', 'x'.repeat(256), 'nul\u0000']) {
      expect(() => pathId(id, 'client')).toThrow(Problem);
      expect(() => pathId(id, 'client')).toThrow('No such client.');
    }
  });

  it('reads limits, cursors and instants, and refuses what it did not write', () => {
    expect(pageSize({})).toBe(50);
    expect(pageSize({ limit: '200' })).toBe(200);
    for (const limit of ['0', '201', '-1', '1.5', ['1', '2']]) expect(() => pageSize({ limit })).toThrow(Problem);
    expect(decodeCursor({ cursor: encodeCursor('client-42') })).toBe('client-42');
    expect(() => decodeCursor({ cursor: '%%%' })).toThrow(Problem);
    expect(instant({ since: '2026-01-01T00:00:00Z' }, 'since')).toBe(Date.UTC(2026, 0, 1));
    expect(instant({ since: '1767225600000' }, 'since')).toBe(1767225600000);
    expect(() => instant({ since: 'yesterday' }, 'since')).toThrow(Problem);
  });
});
