import { cellText, formatObject, formatTable, instant, safeText } from './format';

describe('tables for people', () => {
  const columns = [
    { header: 'CLIENT ID', value: (r: Record<string, unknown>) => r['client_id'] },
    { header: 'NAME', value: (r: Record<string, unknown>) => r['client_name'], max: 10 },
    { header: 'GRANT TYPES', value: (r: Record<string, unknown>) => r['grant_types'] },
  ];

  it('aligns columns two spaces apart under a header, and leaves the last column unpadded', () => {
    const text = formatTable(
      [
        { client_id: 'tessera-cli', client_name: 'Tessera CLI', grant_types: ['client_credentials'] },
        { client_id: 'notes', client_name: 'Notes', grant_types: ['authorization_code', 'refresh_token'] },
      ],
      columns,
    );
    expect(text).toBe(
      [
        'CLIENT ID    NAME        GRANT TYPES',
        'tessera-cli  Tessera C…  client_credentials',
        'notes        Notes       authorization_code, refresh_token',
        '',
      ].join('\n'),
    );
  });

  it('shows a missing, null, empty or empty-list value as a dash, so that columns never collapse', () => {
    const text = formatTable([{ client_id: 'a', client_name: null, grant_types: [] }, { client_id: 'b', client_name: '' }], columns);
    expect(text.split('\n')[1]).toBe('a          -     -');
    expect(text.split('\n')[2]).toBe('b          -     -');
  });

  it('escapes control and bidi-override characters, so that a client name cannot drive the terminal', () => {
    const evil = 'Evil\u001b[31m\u202eeman\r\nnext';
    const text = formatTable([{ client_id: 'x', client_name: evil, grant_types: ['a'] }], [columns[0], { ...columns[1], max: undefined }]);
    for (const raw of ['\u001b', '\u202e', '\r']) expect(text).not.toContain(raw);
    expect(text.split('\n')).toHaveLength(3);
    expect(text).toContain('Evil\\u001b[31m\\u202eeman\\u000d\\u000anext');
  });

  it('renders cells by type: yes/no, numbers as they are, objects in lists as JSON', () => {
    expect(cellText(true)).toBe('yes');
    expect(cellText(false)).toBe('no');
    expect(cellText(0)).toBe('0');
    expect(cellText([{ scope: 'openid', required: true }])).toBe('{"scope":"openid","required":true}');
    expect(cellText({ name: 'Ada' })).toBe('{"name":"Ada"}');
    expect(cellText(undefined)).toBe('-');
  });
});

describe('one object for people', () => {
  it('prints aligned key: value lines in the API order, instants as ISO 8601 and nested values as JSON', () => {
    expect(formatObject({ sub: 'u1', email: 'ada@example.com', roles: ['admin'], claims: { name: 'Ada' }, email_verified: true, created_at: 1795856161 })).toBe(
      [
        'sub:            u1',
        'email:          ada@example.com',
        'roles:          admin',
        'claims:         {"name":"Ada"}',
        'email_verified: yes',
        'created_at:     2026-11-28T08:56:01Z',
        '',
      ].join('\n'),
    );
  });

  it('keeps an instant it cannot read as it is, and says when an object is empty', () => {
    expect(formatObject({ created_at: 'yesterday' })).toBe('created_at: yesterday\n');
    expect(formatObject({})).toBe('(empty)\n');
  });

  it('reads epoch seconds and epoch milliseconds alike', () => {
    expect(instant(1795856161)).toBe('2026-11-28T08:56:01Z');
    expect(instant(1795856161123)).toBe('2026-11-28T08:56:01Z');
    expect(instant('1795856161')).toBeUndefined();
    expect(instant(0)).toBeUndefined();
  });

  it('leaves ordinary text, accents and emoji alone', () => {
    expect(safeText('Zoë 🚀 — ok')).toBe('Zoë 🚀 — ok');
  });
});
