import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

// docker-compose.yml as the docker-compose CLI renders it: `config` validates the file against
// the compose schema and prints it, merges and defaults applied, without a Docker engine.

export const run = promisify(execFile);
export const root = path.resolve(__dirname, '..', '..');

export type Yaml = string | Yaml[] | { [key: string]: Yaml };

export interface PortMapping {
  host_ip?: string;
  published?: string | number;
  target?: string | number;
}

export interface ComposeService {
  image?: string;
  command?: string[];
  entrypoint?: string[];
  volumes?: (string | { source?: string; target?: string; read_only?: boolean | string })[];
  depends_on?: Record<string, { condition?: string }> | string[];
  tmpfs?: string[];
  ports?: (string | PortMapping)[];
  environment?: Record<string, string | null> | string[];
  deploy?: { replicas?: string | number };
  container_name?: string;
  restart?: string;
  healthcheck?: { test?: string[] };
}

export interface ComposeConfig {
  services: Record<string, ComposeService>;
}

export async function compose(...args: string[]) {
  return run('docker-compose', args, { cwd: root, maxBuffer: 16 * 1024 * 1024 });
}

// Compose v2 can print JSON; v1 (Debian bookworm's package is 1.29) only prints YAML.
export async function renderConfig(...args: string[]): Promise<ComposeConfig> {
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
export function parseYaml(text: string): Yaml {
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

export function environmentOf(service: ComposeService): [string, string][] {
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
export function mounts(service: ComposeService): string[] {
  return (service.volumes ?? []).map((volume) =>
    typeof volume === 'string'
      ? volume
      : `${volume.source}:${volume.target}:${String(volume.read_only) === 'true' ? 'ro' : 'rw'}`,
  );
}

export function dependencies(service: ComposeService): string[] {
  const dependsOn = service.depends_on ?? [];
  return Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn);
}
