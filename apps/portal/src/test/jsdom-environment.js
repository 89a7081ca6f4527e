// jsdom has no fetch API nor WebCrypto's subtle: lend the test window Node's own, so that the
// portal's real API layer (and oauth4webapi) run unchanged against a fake server.
const { TestEnvironment } = require('jest-environment-jsdom');

module.exports = class JsdomWithFetch extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    const g = this.global;
    Object.assign(g, { fetch, Request, Response, Headers, TextEncoder, TextDecoder, ReadableStream, structuredClone });
    if (!g.crypto?.subtle) Object.defineProperty(g, 'crypto', { value: globalThis.crypto, configurable: true });
    // WebCrypto and TextEncoder answer with Node's buffers: the page's instanceof checks
    // (oauth4webapi's) must see Node's ArrayBuffer and Uint8Array too.
    Object.assign(g, { ArrayBuffer, Uint8Array });
  }
};
