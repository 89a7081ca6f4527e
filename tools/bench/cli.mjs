// The command-line options both benchmarks share (run.mjs: token endpoint and introspection;
// flows.mjs: authorization code flows), parsed and checked in one place.
import { parseArgs } from 'node:util';

export const ALL_PEERS = ['tessera', 'oidc-provider-memory', 'oidc-provider-redis'];

export function fail(msg) {
  throw new Error(msg);
}

/**
 * @param {object} spec
 * @param {string} spec.script      the script's path, for the recorded command line
 * @param {string} spec.help        the --help text
 * @param {string} spec.tag         the log prefix
 * @param {{ name: string, default: number }} spec.load  the load option (connections or concurrency)
 * @param {{ id: string }[]} spec.scenarios  every scenario the script knows
 * @param {object} [spec.options]  further parseArgs options of this script (in `opts`)
 */
export function parseBenchArgs({ script, help, tag, load, scenarios: known, options = {} }) {
  const { values: opts } = parseArgs({
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      [load.name]: { type: 'string' },
      quick: { type: 'boolean', default: false },
      peers: { type: 'string' },
      scenarios: { type: 'string' },
      docs: { type: 'boolean' },
      'no-docs': { type: 'boolean' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
      ...options,
    },
  });
  if (opts.help) {
    process.stdout.write(help);
    process.exit(0);
  }
  const int = (v, name, min) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      console.error(`--${name} must be an integer ≥ ${min}`);
      process.exit(2);
    }
    return n;
  };
  const peerIds = opts.peers ? opts.peers.split(',').map((s) => s.trim()) : ALL_PEERS;
  for (const p of peerIds) if (!ALL_PEERS.includes(p)) throw new Error(`unknown peer ${p}`);
  return {
    opts,
    duration: int(opts.duration ?? (opts.quick ? 3 : 10), 'duration', 1),
    warmup: int(opts.warmup ?? 2, 'warmup', 0),
    rounds: int(opts.rounds ?? (opts.quick ? 1 : 3), 'rounds', 1),
    load: int(opts[load.name] ?? load.default, load.name, 1),
    writeDocs: opts['no-docs'] ? false : (opts.docs ?? !opts.quick),
    peerIds,
    scenarios: opts.scenarios
      ? opts.scenarios.split(',').map((id) => known.find((s) => s.id === id.trim()) ?? fail(`unknown scenario ${id}`))
      : known,
    command: ['node', script, ...process.argv.slice(2)].join(' '),
    log: (...a) => console.log(`[${tag} ${new Date().toISOString().slice(11, 19)}]`, ...a),
  };
}
