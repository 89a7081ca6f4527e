import * as fc from 'fast-check';
import { InvalidRequestError } from '@tessera/oauth-errors';
import {
  claimsRequestedNames,
  essentialAcrValues,
  MAX_CLAIMS_REQUEST_BYTES,
  MAX_CLAIMS_REQUEST_ENTRIES,
  parseClaimsRequest,
  requestedAcr,
  validateClaimsRequest,
} from './claims-request';

function refusalOf(fn: () => unknown): InvalidRequestError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidRequestError) return err;
    throw err;
  }
  throw new Error('expected an InvalidRequestError');
}

/** RFC 6749 §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E. */
const ERROR_DESCRIPTION = /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/;

describe('parseClaimsRequest (OIDC Core §5.5)', () => {
  it('parses the §5.5 example', () => {
    const raw = JSON.stringify({
      userinfo: {
        given_name: { essential: true },
        nickname: null,
        email: { essential: true },
        email_verified: { essential: true },
        picture: null,
        'http://example.info/claims/groups': null,
      },
      id_token: {
        auth_time: { essential: true },
        acr: { values: ['urn:mace:incommon:iap:silver'] },
      },
    });

    expect(parseClaimsRequest(raw)).toEqual({
      userinfo: {
        given_name: { essential: true },
        nickname: null,
        email: { essential: true },
        email_verified: { essential: true },
        picture: null,
        'http://example.info/claims/groups': null,
      },
      id_token: {
        auth_time: { essential: true },
        acr: { values: ['urn:mace:incommon:iap:silver'] },
      },
    });
  });

  it.each<[string, unknown, unknown]>([
    ['an empty object (asks for nothing)', {}, {}],
    ['only userinfo', { userinfo: { name: null } }, { userinfo: { name: null } }],
    ['only id_token', { id_token: { email: null } }, { id_token: { email: null } }],
    ['an empty member', { userinfo: {} }, { userinfo: {} }],
    ['unknown top-level members, dropped (§5.5: MUST be ignored)', { userinfo: { name: null }, verified_claims: {}, x: 1 }, { userinfo: { name: null } }],
    ['unknown members of a claim request, dropped', { id_token: { email: { essential: false, purpose: 'x' } } }, { id_token: { email: { essential: false } } }],
    ['an object without qualifiers', { userinfo: { name: {} } }, { userinfo: { name: {} } }],
    ['a value of any JSON type', { userinfo: { address: { value: { country: 'FR' } } } }, { userinfo: { address: { value: { country: 'FR' } } } }],
    ['values of any JSON type', { userinfo: { x: { values: [1, 'a', null, [true]] } } }, { userinfo: { x: { values: [1, 'a', null, [true]] } } }],
    ['unknown and language-tagged claim names, kept as sent', { userinfo: { 'name#ja-Kana-JP': null, 'not known': null } }, { userinfo: { 'name#ja-Kana-JP': null, 'not known': null } }],
    ['a sub value', { id_token: { sub: { value: '248289761001' } } }, { id_token: { sub: { value: '248289761001' } } }],
  ])('accepts %s', (_, input, expected) => {
    expect(parseClaimsRequest(JSON.stringify(input))).toEqual(expected);
  });

  it.each<[string, string, string]>([
    ['malformed JSON', '{"userinfo":', 'The claims parameter is not valid JSON (OpenID Connect Core 1.0 section 5.5).'],
    ['an empty string', '', 'The claims parameter is not valid JSON (OpenID Connect Core 1.0 section 5.5).'],
    ['a JSON array', '[]', 'The claims parameter must be a JSON object with userinfo and/or id_token members.'],
    ['JSON null', 'null', 'The claims parameter must be a JSON object with userinfo and/or id_token members.'],
    ['a JSON string', '"userinfo"', 'The claims parameter must be a JSON object with userinfo and/or id_token members.'],
    ['a member that is not an object', '{"userinfo":["name"]}', 'claims.userinfo must be a JSON object mapping claim names to null or to an object with essential, value or values.'],
    ['a null member', '{"id_token":null}', 'claims.id_token must be a JSON object mapping claim names to null or to an object with essential, value or values.'],
    ['a claim request that is a string', '{"userinfo":{"name":"yes"}}', 'claims.userinfo.name must be null or a JSON object with essential, value or values.'],
    ['a claim request that is true', '{"id_token":{"email":true}}', 'claims.id_token.email must be null or a JSON object with essential, value or values.'],
    ['essential as a string', '{"userinfo":{"name":{"essential":"yes"}}}', 'claims.userinfo.name.essential must be true or false.'],
    ['essential as null', '{"userinfo":{"name":{"essential":null}}}', 'claims.userinfo.name.essential must be true or false.'],
    ['values not an array', '{"userinfo":{"name":{"values":"a"}}}', 'claims.userinfo.name.values must be a non-empty array, in order of preference.'],
    ['empty values', '{"id_token":{"acr":{"values":[]}}}', 'claims.id_token.acr.values must be a non-empty array, in order of preference.'],
    ['value and values together', '{"id_token":{"acr":{"value":"a","values":["b"]}}}', 'claims.id_token.acr has both value and values; send value for one value or values for a list.'],
    ['a non-string acr value', '{"id_token":{"acr":{"value":2}}}', 'claims.id_token.acr.value must be a string.'],
    ['non-string acr values', '{"id_token":{"acr":{"values":["a",null]}}}', 'claims.id_token.acr.values must be an array of strings.'],
    ['a non-string sub value', '{"id_token":{"sub":{"value":{"id":1}}}}', 'claims.id_token.sub.value must be a string.'],
  ])('refuses %s with invalid_request', (_, raw, description) => {
    const err = refusalOf(() => parseClaimsRequest(raw));
    expect(err.code).toBe('invalid_request');
    expect(err.description).toBe(description);
  });

  it('keeps the parser message private (detail), not in the description', () => {
    const err = refusalOf(() => parseClaimsRequest('{"userinfo": {name: null}}'));
    expect(err.detail).toMatch(/JSON/);
    expect(err.cause).toBeInstanceOf(SyntaxError);
  });

  it('refuses a value that is not a string at run time', () => {
    expect(refusalOf(() => parseClaimsRequest({ userinfo: {} } as unknown as string)).description).toBe(
      'The claims parameter must be a JSON object sent as a string.',
    );
  });

  it('accepts exactly MAX_CLAIMS_REQUEST_BYTES and refuses one byte more, counted in UTF-8', () => {
    const padded = (bytes: number) => {
      const head = '{"userinfo":{"name":null},"pad":"';
      return `${head}${'x'.repeat(bytes - head.length - 2)}"}`;
    };
    expect(parseClaimsRequest(padded(MAX_CLAIMS_REQUEST_BYTES))).toEqual({ userinfo: { name: null } });
    expect(refusalOf(() => parseClaimsRequest(padded(MAX_CLAIMS_REQUEST_BYTES + 1))).description).toBe(
      `The claims parameter is too large (${MAX_CLAIMS_REQUEST_BYTES + 1} bytes); at most ${MAX_CLAIMS_REQUEST_BYTES} bytes are accepted.`,
    );
    const multibyte = `{"userinfo":{"name":null},"pad":"${'é'.repeat(MAX_CLAIMS_REQUEST_BYTES / 2)}"}`;
    expect(multibyte.length).toBeLessThan(MAX_CLAIMS_REQUEST_BYTES);
    expect(() => parseClaimsRequest(multibyte)).toThrow(InvalidRequestError);
  });

  it('accepts MAX_CLAIMS_REQUEST_ENTRIES entries across both members and refuses one more', () => {
    const member = (from: number, count: number) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`c${from + i}`, null]));
    const half = MAX_CLAIMS_REQUEST_ENTRIES / 2;
    const ok = { userinfo: member(0, half), id_token: member(half, half) };
    expect(claimsRequestedNames(parseClaimsRequest(JSON.stringify(ok)), 'id_token')).toHaveLength(half);

    const tooMany = { userinfo: member(0, half), id_token: member(half, half + 1) };
    expect(refusalOf(() => parseClaimsRequest(JSON.stringify(tooMany))).description).toBe(
      `The claims parameter names too many claims; at most ${MAX_CLAIMS_REQUEST_ENTRIES} are accepted in userinfo and id_token together.`,
    );
  });

  it('refuses more than 100 values for one claim', () => {
    const raw = JSON.stringify({ userinfo: { x: { values: Array.from({ length: 101 }, (_, i) => i) } } });
    expect(refusalOf(() => parseClaimsRequest(raw)).description).toBe(
      'claims.userinfo.x.values has too many elements; at most 100 are accepted.',
    );
  });

  it('keeps a claim named __proto__ as an ordinary entry, without touching any prototype', () => {
    const req = parseClaimsRequest('{"userinfo":{"__proto__":{"essential":true},"name":null}}');
    expect(claimsRequestedNames(req, 'userinfo')).toEqual(['__proto__', 'name']);
    expect(Object.hasOwn(req.userinfo ?? {}, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['essential']).toBeUndefined();
    expect(JSON.parse(JSON.stringify(req))).toEqual({ userinfo: { ['__proto__']: { essential: true }, name: null } });
  });

  it('names a claim in a description only with characters RFC 6749 §5.2 allows there', () => {
    const err = refusalOf(() => parseClaimsRequest(JSON.stringify({ userinfo: { 'na"me\\é\n': { essential: 1 } } })));
    expect(err.description).toBe('claims.userinfo.na?me???.essential must be true or false.');

    const long = 'n'.repeat(200);
    const err2 = refusalOf(() => parseClaimsRequest(JSON.stringify({ userinfo: { [long]: 1 } })));
    expect(err2.description).toBe(`claims.userinfo.${'n'.repeat(61)}... must be null or a JSON object with essential, value or values.`);
  });
});

describe('validateClaimsRequest (claims as a JSON object in a request object, §6.1)', () => {
  it('applies the same rules to a decoded value', () => {
    expect(validateClaimsRequest({ id_token: { acr: { essential: true, value: 'gold' } } })).toEqual({
      id_token: { acr: { essential: true, value: 'gold' } },
    });
    expect(() => validateClaimsRequest('{"userinfo":{}}')).toThrow(InvalidRequestError);
    expect(() => validateClaimsRequest({ userinfo: { name: { essential: 'yes' } } })).toThrow(InvalidRequestError);
  });
});

describe('claimsRequestedNames', () => {
  const req = parseClaimsRequest(
    JSON.stringify({ userinfo: { email: null, 'name#fr': null, unknown_claim: null }, id_token: { acr: null } }),
  );

  it.each<['userinfo' | 'id_token', string[]]>([
    ['userinfo', ['email', 'name#fr', 'unknown_claim']],
    ['id_token', ['acr']],
  ])('lists the %s names as sent, in request order', (target, names) => {
    expect(claimsRequestedNames(req, target)).toEqual(names);
  });

  it('lists nothing for an absent member', () => {
    expect(claimsRequestedNames({}, 'userinfo')).toEqual([]);
  });
});

describe('requestedAcr and essentialAcrValues (§5.5.1.1)', () => {
  it.each<[string, object, ReturnType<typeof requestedAcr>, string[] | undefined]>([
    ['no claims request member', {}, undefined, undefined],
    ['acr only in userinfo', { userinfo: { acr: { essential: true, value: 'a' } } }, undefined, undefined],
    ['acr: null (voluntary, any value)', { id_token: { acr: null } }, { essential: false, values: [] }, undefined],
    ['voluntary values', { id_token: { acr: { values: ['silver', 'bronze'] } } }, { essential: false, values: ['silver', 'bronze'] }, undefined],
    ['explicitly voluntary value', { id_token: { acr: { essential: false, value: 'gold' } } }, { essential: false, values: ['gold'] }, undefined],
    ['essential value', { id_token: { acr: { essential: true, value: 'gold' } } }, { essential: true, values: ['gold'] }, ['gold']],
    ['essential values, in order of preference', { id_token: { acr: { essential: true, values: ['gold', 'silver'] } } }, { essential: true, values: ['gold', 'silver'] }, ['gold', 'silver']],
    ['essential without a value (any acr, but it must be there)', { id_token: { acr: { essential: true } } }, { essential: true, values: [] }, undefined],
  ])('%s', (_, input, acr, essential) => {
    const req = parseClaimsRequest(JSON.stringify(input));
    expect(requestedAcr(req)).toEqual(acr);
    expect(essentialAcrValues(req)).toEqual(essential);
  });
});

describe('parseClaimsRequest properties', () => {
  const qualifier = fc.record(
    {
      essential: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })),
      value: fc.jsonValue({ maxDepth: 2 }),
      values: fc.oneof(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })),
      purpose: fc.string(),
    },
    { requiredKeys: [] },
  );
  const claimName = fc.oneof(
    fc.constantFrom('sub', 'acr', 'name', 'email', 'name#fr', '__proto__', 'constructor', ''),
    fc.string({ unit: 'binary', maxLength: 12 }),
  );
  const member = fc.oneof(
    fc.dictionary(claimName, fc.oneof(fc.constant(null), qualifier, fc.jsonValue({ maxDepth: 1 })), { maxKeys: 8 }),
    fc.jsonValue({ maxDepth: 1 }),
  );
  const claimsLike = fc.record({ userinfo: member, id_token: member, other: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] });

  const raws = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    claimsLike.map((v) => JSON.stringify(v)),
    fc.string({ unit: 'binary' }),
    claimsLike.map((v) => JSON.stringify(v).slice(0, -1)),
  );

  it('never throws anything but InvalidRequestError, whose description is a valid error_description', () => {
    fc.assert(
      fc.property(raws, (raw) => {
        try {
          parseClaimsRequest(raw);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidRequestError);
          expect((err as InvalidRequestError).description).toMatch(ERROR_DESCRIPTION);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every well-formed request and gives a result that survives a JSON round trip unchanged', () => {
    const json = fc.jsonValue({ maxDepth: 2 });
    const wellFormedQualifier = fc.oneof(
      fc.record({ essential: fc.boolean(), value: json, purpose: fc.string() }, { requiredKeys: [] }),
      fc.record({ essential: fc.boolean(), values: fc.array(json, { minLength: 1, maxLength: 4 }) }, { requiredKeys: ['values'] }),
    );
    const wellFormedName = fc.oneof(
      fc.constantFrom('name', 'email', 'name#fr', '__proto__', 'constructor', ''),
      fc.string({ unit: 'binary', maxLength: 12 }).filter((n) => n !== 'sub' && n !== 'acr'),
    );
    const wellFormedMember = fc.dictionary(wellFormedName, fc.oneof(fc.constant(null), wellFormedQualifier), { maxKeys: 8 });
    const wellFormed = fc.record(
      { userinfo: wellFormedMember, id_token: wellFormedMember, other: fc.jsonValue({ maxDepth: 2 }) },
      { requiredKeys: [] },
    );

    fc.assert(
      fc.property(wellFormed, (value) => {
        const parsed = parseClaimsRequest(JSON.stringify(value));

        expect(parseClaimsRequest(JSON.stringify(parsed))).toEqual(parsed);
        expect(Object.keys(parsed).every((k) => k === 'userinfo' || k === 'id_token')).toBe(true);
        for (const target of ['userinfo', 'id_token'] as const) {
          const sent = value[target];
          expect(claimsRequestedNames(parsed, target)).toEqual(sent === undefined ? [] : Object.keys(sent));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
