import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../config';
import devDynamicConfig from '../temporal-config/dynamic-config.json';
import { workerNodeArgs } from '../workers/nodeFlags';

// docker-compose.yml is checked by the docker-compose CLI itself: `config` validates the file
// against the compose schema and renders it without needing a Docker engine.

const run = promisify(execFile);
const root = path.resolve(__dirname, '..');

const MISSING =
  'docker-compose is not on PATH: install the Debian package docker-compose (apt-get install -y docker-compose)';
const installed = spawnSync('docker-compose', ['version', '--short']).error === undefined;
const inCi = process.env.CI === 'true';
if (!installed && !inCi) console.warn(`Skipping the docker-compose.yml tests. ${MISSING}`);

// In CI a missing CLI fails every test below instead of silently skipping them.
const describeCompose = installed || inCi ? describe : describe.skip;
// docker-compose 1.x is a Python program: each call takes around a second to start.
const TIMEOUT_MS = 30_000;

type Yaml = string | Yaml[] | { [key: string]: Yaml };

interface PortMapping {
  host_ip?: string;
  published?: string | number;
  target?: string | number;
}

interface ComposeService {
  image?: string;
  command?: string[];
  entrypoint?: string[];
  volumes?: (string | { source?: string; target?: string; read_only?: boolean | string })[];
  depends_on?: Record<string, { condition?: string }> | string[];
  tmpfs?: string[];
  ports?: (string | PortMapping)[];
  environment?: Record<string, string | null> | string[];
}

interface ComposeConfig {
  services: Record<string, ComposeService>;
}

async function compose(...args: string[]) {
  return run('docker-compose', args, { cwd: root, maxBuffer: 16 * 1024 * 1024 });
}

// Compose v2 can print JSON; v1 (Debian bookworm's package is 1.29) only prints YAML.
async function renderConfig(...args: string[]): Promise<ComposeConfig> {
  const { stdout: version } = await compose('version', '--short');
  const parsed =
    Number(/\d+/.exec(version)?.[0]) >= 2
      ? JSON.parse((await compose('config', '--format', 'json', ...args)).stdout)
      : parseYaml((await compose('config', ...args)).stdout);
  return parsed as ComposeConfig;
}

interface Line {
  indent: number;
  text: string;
}

const QUOTED = String.raw`'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"`;
const KEY = new RegExp(String.raw`^(${QUOTED}|[^\s'"-][^:]*|-[^\s:][^:]*):(?: (.*))?$`, 's');
const CLOSED_QUOTE = new RegExp(`^(?:${QUOTED})$`);

const isItem = (text: string) => text === '-' || text.startsWith('- ');

/** Splits `- - key: value` into its dash count, key (if any) and scalar text. */
function entry(text: string) {
  let rest = text;
  let dashes = 0;
  while (isItem(rest)) {
    rest = rest.slice(2);
    dashes++;
  }
  const match = KEY.exec(rest);
  return match ? { dashes, key: match[1]!, value: match[2] ?? '' } : { dashes, value: rest };
}

/** Non-empty lines, with scalars that the emitter wrapped onto deeper lines folded back. */
function logicalLines(text: string): Line[] {
  const raw = text.split('\n');
  const lines: Line[] = [];
  for (let i = 0; i < raw.length; i++) {
    const first = raw[i]!;
    if (!first.trim() || first.trimStart().startsWith('#')) continue;
    const indent = first.length - first.trimStart().length;
    let text = first.trim();
    const { dashes, key, value } = entry(text);
    const quoted = value.startsWith("'") || value.startsWith('"');
    // Deeper lines after a plain `key: value` or `- value` can only be its continuation.
    const scopeIndent = indent + 2 * (key === undefined ? dashes - 1 : dashes);
    let scalar = value;
    while (i + 1 < raw.length && value !== '') {
      const next = raw[i + 1]!;
      const nextIndent = next.length - next.trimStart().length;
      const open = quoted && !CLOSED_QUOTE.test(scalar);
      if (!open && (quoted || !next.trim() || nextIndent <= scopeIndent)) break;
      // Folding: a single line break reads as a space, an empty line as a newline.
      const piece = next.trim();
      const joined = (piece === '' ? '\n' : text.endsWith('\n') ? '' : ' ') + piece;
      scalar += joined;
      text += joined;
      i++;
    }
    lines.push({ indent, text });
  }
  return lines;
}

function scalar(text: string): Yaml {
  if (text.startsWith("'")) return text.slice(1, -1).replaceAll("''", "'");
  if (text.startsWith('"')) return JSON.parse(text) as string;
  if (text === 'null' || text === '~') return '';
  if (text === '{}') return {};
  if (text === '[]') return [];
  if (/^[|>&*!{[]/.test(text)) throw new Error(`YAML construct not supported here: ${text}`);
  return text;
}

/**
 * Reads the block-style YAML subset that `docker-compose config` prints: mappings, sequences
 * and scalars (kept as strings). Anything else throws rather than being misread.
 */
function parseYaml(text: string): Yaml {
  const lines = logicalLines(text);
  let pos = 0;

  function block(indent: number): Yaml {
    return isItem(lines[pos]!.text) ? sequence(indent) : mapping(indent);
  }

  function child(parentIndent: number, allowSequenceAtParent: boolean): Yaml {
    const next = lines[pos];
    if (next && next.indent > parentIndent) return block(next.indent);
    // PyYAML writes a mapping's sequence values at the key's own indentation.
    if (next && allowSequenceAtParent && next.indent === parentIndent && isItem(next.text))
      return sequence(parentIndent);
    return '';
  }

  function sequence(indent: number): Yaml[] {
    const items: Yaml[] = [];
    while (pos < lines.length && lines[pos]!.indent === indent) {
      const line = lines[pos]!;
      if (!isItem(line.text)) break;
      const rest = line.text.slice(2);
      if (rest === '') {
        pos++;
        items.push(child(indent, false));
      } else if (isItem(rest) || entry(rest).key !== undefined) {
        // `- key: value` opens a mapping (or `- - x` a sequence) two columns further in.
        lines[pos] = { indent: indent + 2, text: rest };
        items.push(block(indent + 2));
      } else {
        pos++;
        items.push(scalar(rest));
      }
    }
    return items;
  }

  function mapping(indent: number): Record<string, Yaml> {
    const map: Record<string, Yaml> = {};
    while (pos < lines.length && lines[pos]!.indent === indent) {
      const { dashes, key, value } = entry(lines[pos]!.text);
      if (dashes > 0) break;
      if (key === undefined) throw new Error(`Expected "key: value", got: ${lines[pos]!.text}`);
      pos++;
      map[scalar(key) as string] = value === '' ? child(indent, true) : scalar(value);
    }
    return map;
  }

  return lines.length ? block(lines[0]!.indent) : '';
}

const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD|PASSWD|PWD|CREDENTIAL/i;
// `${NAME}`, `${NAME:-}` or `${NAME-}`: taken from the environment, with no default.
const FROM_ENVIRONMENT = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-)?\}$/;
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;
const KNOWN_TOKEN = /sk-ant-|\bsk-[A-Za-z0-9_-]{20,}|\bKEY[0-9A-F]{20,}|-----BEGIN /;

function environmentOf(service: ComposeService): [string, string][] {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return env.map((item): [string, string] => {
      const at = item.indexOf('=');
      return at < 0 ? [item, ''] : [item.slice(0, at), item.slice(at + 1)];
    });
  }
  return Object.entries(env).map(([name, value]): [string, string] => [name, value ?? '']);
}

/** Volumes as `source:target:mode` strings, whichever form the CLI printed them in. */
function mounts(service: ComposeService): string[] {
  return (service.volumes ?? []).map((volume) =>
    typeof volume === 'string'
      ? volume
      : `${volume.source}:${volume.target}:${String(volume.read_only) === 'true' ? 'ro' : 'rw'}`,
  );
}

function dependencies(service: ComposeService): string[] {
  const dependsOn = service.depends_on ?? [];
  return Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn);
}

// Every `${NAME...}` reference in a value: what the environment fills in.
const ENVIRONMENT_REFERENCES = /\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-[^}]*)?\}/g;

function looksLikeSecret(name: string, value: string): boolean {
  // A URL whose user and password both come from the environment holds no secret itself.
  const literal = value.replace(ENVIRONMENT_REFERENCES, '');
  if (URL_WITH_PASSWORD.test(literal) || KNOWN_TOKEN.test(value)) return true;
  // A switch (TEMPORAL_CODEC_INCLUDE_CREDENTIALS) names credentials but holds none.
  if (value === 'true' || value === 'false') return false;
  return SECRET_NAME.test(name) && value !== '' && !FROM_ENVIRONMENT.test(value);
}

describeCompose('docker-compose.yml', () => {
  let config: ComposeConfig;

  beforeAll(async () => {
    if (!installed) throw new Error(MISSING);
    config = await renderConfig();
  }, TIMEOUT_MS);

  test(
    'passes `docker-compose config -q` without errors or warnings',
    async () => {
      await expect(compose('config', '-q')).resolves.toEqual({ stdout: '', stderr: '' });
    },
    TIMEOUT_MS,
  );

  test('defines the whole stack', () => {
    const expected = [
      'postgresql',
      'temporal',
      'temporal-ui',
      'mongo',
      'api',
      'worker',
      'portal',
      'proxy',
      'prometheus',
      'grafana',
    ];
    expect(Object.keys(config.services)).toEqual(expect.arrayContaining(expected));
  });

  test('starts the worker as every other launcher does (workers/nodeFlags.ts)', () => {
    expect(config.services.worker?.command).toEqual(['node', ...workerNodeArgs()]);
  });

  test('runs MongoDB 7', () => {
    expect(config.services.mongo?.image).toBe('mongo:7');
  });

  test(
    'runs MongoDB with authentication and TLS only, its administrator from the environment',
    async () => {
      const raw = await renderConfig('--no-interpolate');
      const mongo = raw.services.mongo!;
      const args = (mongo.command ?? []).join(' ');
      expect(args).toMatch(/(^| )--auth( |$)/);
      expect(args).toContain('--tlsMode requireTLS');
      expect(args).toContain('--tlsCertificateKeyFile /etc/mongo-tls/mongo.pem');
      expect(args).toContain('--tlsCAFile /etc/mongo-tls/ca.pem');
      expect(mounts(mongo)).toContain(`${root}/certs/mongo:/etc/mongo-tls:ro`);
      const env = Object.fromEntries(environmentOf(mongo));
      for (const name of ['MONGO_INITDB_ROOT_USERNAME', 'MONGO_INITDB_ROOT_PASSWORD']) {
        expect(env[name]).toMatch(FROM_ENVIRONMENT);
      }
      // The health check speaks TLS too (a plain connection is refused).
      expect(JSON.stringify(mongo)).toMatch(/"--tls","--tlsCAFile","\/etc\/mongo-tls\/ca.pem"/);
    },
    TIMEOUT_MS,
  );

  test("creates the app's user with read and write on zen only, at MongoDB's first start", () => {
    const mongo = config.services.mongo!;
    const script = 'config/mongo/create-app-user.js';
    expect(mounts(mongo)).toContain(
      `${root}/${script}:/docker-entrypoint-initdb.d/create-app-user.js:ro`,
    );
    const source = readFileSync(path.join(root, script), 'utf8');
    const roles = [...source.matchAll(/role: '(\w+)', db: '(\w+)'/g)].map(
      ([, r, d]) => `${r}@${d}`,
    );
    expect(roles).toEqual(['readWrite@zen']);
    expect(source).toContain("db.getSiblingDB('zen').createUser(");
  });

  test(
    'connects the api and the worker as that user, over TLS checked against our CA',
    async () => {
      const raw = await renderConfig('--no-interpolate');
      for (const name of ['api', 'worker']) {
        const service = raw.services[name]!;
        const mongoUrl = Object.fromEntries(environmentOf(service)).MONGO_URL ?? '';
        const [, user, password, rest] =
          /^mongodb:\/\/(\$\{[^}]+\}):(\$\{[^}]+\})@(mongo:27017\/zen\?.*)$/.exec(mongoUrl) ?? [];
        expect([name, user, password]).toEqual([
          name,
          '${MONGO_APP_USERNAME:-}',
          '${MONGO_APP_PASSWORD:-}',
        ]);
        const query = new URLSearchParams(rest!.split('?')[1]);
        expect(query.get('tls')).toBe('true');
        expect(query.get('authSource')).toBe('zen');
        expect(mounts(service)).toContain(
          `${root}/certs/mongo/ca.pem:${query.get('tlsCAFile')}:ro`,
        );
      }
    },
    TIMEOUT_MS,
  );

  test('reads every variable from .env, whose committed example holds placeholders only', async () => {
    const used = new Set(
      [...readFileSync(path.join(root, 'docker-compose.yml'), 'utf8').matchAll(/\$\{(\w+)/g)].map(
        ([, name]) => name!,
      ),
    );
    const example = Object.fromEntries(
      readFileSync(path.join(root, '.env.example'), 'utf8')
        .split('\n')
        .filter((line) => line.trim() && !line.startsWith('#'))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect([...used].filter((name) => !(name in example))).toEqual([]);
    const filledSecrets = Object.entries(example).filter(
      ([name, value]) => SECRET_NAME.test(name) && value !== '',
    );
    expect(filledSecrets).toEqual([]);
    // .env (and any .env.*) never reaches git; the example does.
    const { stdout } = await run('git', ['check-ignore', '.env', '.env.production'], { cwd: root });
    expect(stdout.split('\n').filter(Boolean)).toEqual(['.env', '.env.production']);
    await expect(
      run('git', ['check-ignore', '-q', '.env.example'], { cwd: root }),
    ).rejects.toThrow();
  });

  test('publishes ports on 127.0.0.1 only, but the TLS proxy on 443', () => {
    const exposed = Object.entries(config.services).flatMap(([name, service]) =>
      (name === 'proxy' ? [] : (service.ports ?? []))
        .filter((port) =>
          typeof port === 'string' ? !port.startsWith('127.0.0.1:') : port.host_ip !== '127.0.0.1',
        )
        .map((port) => `${name}: ${JSON.stringify(port)}`),
    );
    expect(exposed).toEqual([]);
  });

  test('ends TLS 1.3 at the proxy, in front of the api over plain HTTP inside the network', () => {
    const proxy = config.services.proxy!;
    expect(proxy.image).toBe('haproxy:2.8');
    expect(JSON.stringify(proxy.ports)).toMatch(/"target":"?443"?/);
    const haproxy = readFileSync(path.join(root, 'config/haproxy.cfg'), 'utf8');
    expect(haproxy).toMatch(
      /^\s*bind :443 ssl crt \/etc\/haproxy\/certs\/\S+ ssl-min-ver TLSv1\.3/m,
    );
    expect(haproxy).toMatch(/^\s*server api api:4000\b/m);
    expect(haproxy).toMatch(/^\s*timeout tunnel /m);
  });

  test('runs Prometheus and Grafana from pinned official images, their files mounted read-only', () => {
    const { prometheus, grafana } = config.services;
    expect(prometheus?.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    expect(grafana?.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    expect(mounts(prometheus!)).toEqual(
      expect.arrayContaining([
        `${root}/observability/prometheus:/etc/prometheus:ro`,
        'prometheus-data:/prometheus:rw',
      ]),
    );
    expect(mounts(grafana!)).toEqual(
      expect.arrayContaining([
        `${root}/observability/grafana/provisioning:/etc/grafana/provisioning:ro`,
        `${root}/observability/grafana/dashboards:/etc/grafana/dashboards:ro`,
      ]),
    );
    expect(dependencies(prometheus!)).toEqual(expect.arrayContaining(['api', 'worker']));
    expect(dependencies(grafana!)).toContain('prometheus');
    // Grafana's provisioning points at the compose names and paths above.
    const provider = readFileSync(
      path.join(root, 'observability/grafana/provisioning/dashboards/zen.yml'),
      'utf8',
    );
    expect(provider).toMatch(/^\s*path: \/etc\/grafana\/dashboards$/m);
    expect(environmentOf(grafana!)).toContainEqual([
      'GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH',
      '/etc/grafana/dashboards/zen-support.json',
    ]);
  });

  test('has Prometheus scrape the api and the worker where they serve /metrics', () => {
    const scrape = readFileSync(path.join(root, 'observability/prometheus/prometheus.yml'), 'utf8');
    const targets = [...scrape.matchAll(/targets: \['([^']+)'\]/g)].map(([, target]) => target);
    expect(targets).toEqual(['api:4000', 'worker:9464']);
    // What the processes make of their compose environment (config/index.ts).
    const api = loadConfig(Object.fromEntries(environmentOf(config.services.api!))).api;
    expect(`api:${api.port}`).toBe(targets[0]);
    expect(api.host).toBe('0.0.0.0');
    const worker = loadConfig(Object.fromEntries(environmentOf(config.services.worker!))).worker;
    expect(`worker:${worker.metricsPort}`).toBe(targets[1]);
    expect(worker.metricsHost).toBe('0.0.0.0');
    // The metrics token reaches the scraper as the file its scrape config reads.
    const prometheus = config.services.prometheus!;
    expect(scrape).toContain('credentials_file: /run/zen/metrics-token');
    expect(prometheus.entrypoint?.join(' ')).toContain('> /run/zen/metrics-token');
    expect(prometheus.tmpfs).toEqual(['/run/zen']);
    expect(environmentOf(prometheus).map(([name]) => name)).toContain('METRICS_TOKEN');
  });

  test(
    'takes secrets from the environment, never from the file',
    async () => {
      // Uninterpolated, so this checks the file, whatever the local .env holds, and never prints
      // a real secret.
      const raw = await renderConfig('--no-interpolate');
      const literals = Object.entries(raw.services).flatMap(([service, definition]) =>
        environmentOf(definition)
          .filter(([name, value]) => looksLikeSecret(name, value))
          .map(([name]) => `${service}: ${name}`),
      );
      expect(literals).toEqual([]);
    },
    TIMEOUT_MS,
  );
});

describe("the compose Temporal server's dynamic config", () => {
  // Only the dev server needs these: it runs with a fresh search-attribute cache.
  const devOnly = ['system.forceSearchAttributesCacheRefreshOnRead'];

  test('switches on what the dev server has switched on (Update, update-with-start, eager activities)', () => {
    const yaml = parseYaml(
      readFileSync(path.join(root, 'temporal-config/docker/dynamicconfig.yaml'), 'utf8'),
    ) as Record<string, { value: string }[]>;
    const compose = Object.fromEntries(
      Object.entries(yaml).map(([key, [setting]]) => [key, setting?.value]),
    );
    const dev = Object.fromEntries(
      Object.entries(devDynamicConfig)
        .filter(([key]) => !devOnly.includes(key))
        .map(([key, value]) => [key, String(value)]),
    );
    expect(compose).toEqual(dev);
    expect(dev['system.enableActivityEagerExecution']).toBe('true');
  });
});
