import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';
import devDynamicConfig from '../temporal-config/dynamic-config.json';
import { workerNodeArgs } from '../workers/nodeFlags';
import {
  compose,
  dependencies,
  environmentOf,
  mounts,
  parseYaml,
  renderConfig,
  root,
  run,
  type ComposeConfig,
  type PortMapping,
} from './support/composeFile';

const haproxyConfig = () => readFileSync(path.join(root, 'config/haproxy.cfg'), 'utf8');

/** One section of config/haproxy.cfg: its header line up to the next section. */
function haproxySection(header: string): string {
  const text = haproxyConfig();
  const at = text.search(new RegExp(`^${header}$`, 'm'));
  if (at < 0) throw new Error(`config/haproxy.cfg has no section "${header}"`);
  const next = text.slice(at + header.length).search(/^\S/m);
  return next < 0 ? text.slice(at) : text.slice(at, at + header.length + next);
}

// docker-compose.yml is checked by the docker-compose CLI itself (support/composeFile.ts), then
// by the rules below.
const MISSING =
  'docker-compose is not on PATH: install the Debian package docker-compose (apt-get install -y docker-compose)';
const installed = spawnSync('docker-compose', ['version', '--short']).error === undefined;
const inCi = process.env.CI === 'true';
if (!installed && !inCi) console.warn(`Skipping the docker-compose.yml tests. ${MISSING}`);

// In CI a missing CLI fails every test below instead of silently skipping them.
const describeCompose = installed || inCi ? describe : describe.skip;
// docker-compose 1.x is a Python program: each call takes around a second to start.
const TIMEOUT_MS = 30_000;

const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD|PASSWD|PWD|CREDENTIAL/i;
// `${NAME}`, `${NAME:-}` or `${NAME-}`: taken from the environment, with no default.
const FROM_ENVIRONMENT = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-)?\}$/;
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;
const KNOWN_TOKEN = /sk-ant-|\bsk-[A-Za-z0-9_-]{20,}|\bKEY[0-9A-F]{20,}|-----BEGIN /;

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
      'zen-bus-database',
      'temporal-schema',
      'temporal',
      'temporal-setup',
      'temporal-ui',
      'mongo',
      'api',
      'worker',
      'portal',
      'haproxy',
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

  test('publishes HAProxy on 443 as the one public entry; everything else on 127.0.0.1 at most', () => {
    const published = Object.entries(config.services).flatMap(([name, service]) =>
      (service.ports ?? []).map((port) => ({ name, port })),
    );
    const isPublic = ({ port }: { port: string | PortMapping }) =>
      typeof port === 'string' ? !port.startsWith('127.0.0.1:') : port.host_ip !== '127.0.0.1';
    expect(
      published.filter(isPublic).map(({ name, port }) => `${name}: ${JSON.stringify(port)}`),
    ).toEqual([`haproxy: ${JSON.stringify(config.services.haproxy!.ports![0])}`]);
    const [front] = published.filter(isPublic).map(({ port }) => port as PortMapping);
    expect([String(front!.published), String(front!.target)]).toEqual(['443', '443']);
  });

  test('runs two API instances and two workers, with nothing that pins one container', () => {
    for (const name of ['api', 'worker']) {
      const service = config.services[name]!;
      expect([name, String(service.deploy?.replicas)]).toEqual([name, '2']);
      // A fixed host port or container name would stop the second replica from starting.
      expect([name, service.ports ?? [], service.container_name]).toEqual([name, [], undefined]);
    }
  });

  test("runs the real Temporal server, its schema set up first by Temporal's SQL tool", () => {
    const { temporal, 'temporal-schema': schema, postgresql } = config.services;
    expect(temporal?.image).toBe('temporalio/server:1.29.1');
    // Not the dev server and not auto-setup: the image's entrypoint starts the server itself.
    expect(JSON.stringify(temporal)).not.toMatch(/auto-?setup|start-dev/);
    expect(temporal?.command).toBeUndefined();
    expect(temporal?.depends_on).toEqual({
      postgresql: { condition: 'service_healthy' },
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
    expect(postgresql?.healthcheck?.test).toContain('pg_isready');
    // The schema job: the admin tools of the same server release, once PostgreSQL answers.
    expect(schema?.image).toMatch(/^temporalio\/admin-tools:1\.29\.1-/);
    expect(schema?.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    expect(schema?.restart).toMatch(/^on-failure:\d+$/);
    const script = 'temporal-config/docker/setup-schema.sh';
    expect(mounts(schema!)).toContain(`${root}/${script}:/setup-schema.sh:ro`);
    expect(schema?.entrypoint).toEqual(['bash', '/setup-schema.sh']);
    expect(Object.fromEntries(environmentOf(schema!))).toMatchObject({
      SQL_PLUGIN: 'postgres12',
      SQL_HOST: 'postgresql',
      SQL_USER: 'temporal',
    });
    // The namespace is registered once the server answers; the apps wait for that.
    expect(config.services['temporal-setup']?.depends_on).toEqual({
      temporal: { condition: 'service_started' },
    });
    for (const name of ['api', 'worker']) {
      expect(config.services[name]?.depends_on).toMatchObject({
        'temporal-setup': { condition: 'service_completed_successfully' },
      });
    }
  });

  test(
    "gives the API instances their socket.io bus: a database of PostgreSQL's, own role",
    async () => {
      const raw = await renderConfig('--no-interpolate');
      const api = Object.fromEntries(environmentOf(raw.services.api!));
      expect(api.SOCKET_BUS_URL).toBe(
        'postgres://zen_bus:${ZEN_BUS_DB_PASSWORD:-}@postgresql:5432/zen_bus',
      );
      expect(config.services.api?.depends_on).toMatchObject({
        'zen-bus-database': { condition: 'service_completed_successfully' },
      });
      const job = raw.services['zen-bus-database']!;
      expect(job.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
      expect(job.entrypoint).toEqual(['bash', '/create-bus-database.sh']);
      expect(mounts(job)).toContain(
        `${root}/config/postgres/create-bus-database.sh:/create-bus-database.sh:ro`,
      );
      // The bus is the API's alone: the worker reaches it only through the API.
      expect(Object.keys(Object.fromEntries(environmentOf(raw.services.worker!)))).not.toContain(
        'SOCKET_BUS_URL',
      );
    },
    TIMEOUT_MS,
  );

  test('sends the worker and the portal server to the API through HAProxy, never to one instance', () => {
    const worker = loadConfig(Object.fromEntries(environmentOf(config.services.worker!)));
    const internal = new URL(worker.api.url);
    expect(internal.hostname).toBe('haproxy');
    const portal = Object.fromEntries(environmentOf(config.services.portal!));
    expect(portal.NUXT_API_URL).toBe(internal.origin);
    // That port is HAProxy's internal front, onto the API backend, and not published.
    const front = haproxySection(`frontend internal`);
    expect(front).toContain(`bind :${internal.port}`);
    expect(front).toContain('default_backend api');
    expect(JSON.stringify(config.services.haproxy?.ports)).not.toContain(`"${internal.port}"`);
  });

  test('ends TLS 1.3 at HAProxy (pinned official image), in front of the API replicas over plain HTTP', () => {
    const haproxy = config.services.haproxy!;
    expect(haproxy.image).toMatch(/^haproxy:\d+\.\d+\.\d+$/);
    expect(mounts(haproxy)).toEqual(
      expect.arrayContaining([
        `${root}/config/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro`,
        `${root}/certs/zen.pem:/etc/haproxy/certs/zen.pem:ro`,
      ]),
    );
    const front = haproxySection('frontend public');
    expect(front).toMatch(
      /^\s*bind :443 ssl crt \/etc\/haproxy\/certs\/zen\.pem ssl-min-ver TLSv1\.3/m,
    );
    expect(front).toMatch(
      /use_backend api if \{ path_beg \/api\/ \} \|\| \{ path_beg \/socket\.io\/ \}/,
    );
    // The portal's live socket reaches the API directly, with the browser's own sticky cookie.
    expect(front).toMatch(/^\s*http-request set-path \/socket\.io\/ if \{ path \/live \}$/m);
    expect(haproxySection('defaults')).toMatch(/^\s*timeout tunnel /m);
  });

  test('finds every API replica by Docker DNS, health-checks /api/health, and keeps polling sticky', () => {
    const backend = haproxySection('backend api');
    const template = /^\s*server-template api (\d+) api:4000 (.*)$/m.exec(backend);
    expect(Number(template?.[1])).toBeGreaterThanOrEqual(
      Number(config.services.api?.deploy?.replicas),
    );
    expect(template?.[2]).toMatch(/\bcheck\b.*\bresolvers docker\b.*\binit-addr none\b/);
    expect(haproxySection('resolvers docker')).toMatch(/^\s*nameserver \S+ 127\.0\.0\.11:53$/m);
    expect(backend).toMatch(/^\s*option httpchk$/m);
    expect(backend).toMatch(/^\s*http-check send meth GET uri \/api\/health$/m);
    // Up or degraded (503, shared by all when Temporal is away) keeps an instance in.
    expect(backend).toMatch(/^\s*http-check expect rstatus \^\(200\|503\)\$$/m);
    // socket.io's long-polling: one cookie per instance, inserted by HAProxy.
    expect(backend).toMatch(/^\s*cookie \S+ insert indirect nocache .*\bdynamic\b/m);
    expect(backend).toMatch(/^\s*dynamic-cookie-key \S+$/m);
    expect(backend).toMatch(/^\s*balance leastconn$/m);
  });

  test(
    "passes the real HAProxy's own check (`haproxy -c`)",
    async () => {
      // The operator's certificate is not here: a throwaway one stands in for it.
      const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-haproxy-'));
      try {
        const key = path.join(dir, 'key.pem');
        const cert = path.join(dir, 'cert.pem');
        await run('openssl', [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-subj',
          '/CN=zen.example',
          '-days',
          '1',
          '-keyout',
          key,
          '-out',
          cert,
        ]);
        const pem = path.join(dir, 'zen.pem');
        writeFileSync(pem, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
        const cfg = path.join(dir, 'haproxy.cfg');
        writeFileSync(cfg, haproxyConfig().replaceAll('/etc/haproxy/certs/zen.pem', pem));
        const { stdout, stderr } = await run('haproxy', ['-c', '-f', cfg]);
        expect(stdout).toMatch(/Configuration file is valid/);
        // Outside compose the portal's name does not resolve; nothing else may be amiss.
        const warnings = stderr
          .split('\n')
          .filter((line) => /\[(WARNING|ALERT)\]/.test(line))
          .filter(
            (line) => !/'server portal\/portal' : could not resolve address 'portal'/.test(line),
          );
        expect(warnings).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    TIMEOUT_MS,
  );

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
    // Every replica, as Docker's DNS lists them: a plain `api:4000` would reach one at random.
    const targets = [
      ...scrape.matchAll(/dns_sd_configs:\n\s+- names: \['(\w+)'\]\n\s+type: A\n\s+port: (\d+)/g),
    ].map(([, name, port]) => `${name}:${port}`);
    expect(targets).toEqual(['api:4000', 'worker:9464']);
    expect(scrape).not.toContain('static_configs');
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
