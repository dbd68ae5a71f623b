import type { Service } from '../temporal-config/process';

// What of a service's output reaches the terminal under `npm start`: its log file
// gets every line; the terminal only warnings and errors, in words rather than JSON.

const pinoLevels: Record<number, string> = { 40: 'warning', 50: 'error', 60: 'fatal error' };

/** A line of a service's output as a person reads it, or undefined when it is routine. */
export function problemLine(name: string, line: string, fromStderr: boolean): string | undefined {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    // Plain text on stderr is what a crashing or warning process prints; on stdout, chatter.
    return fromStderr && line.trim() ? `[${name}] ${line}` : undefined;
  }
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { level, msg, err, method, path, status } = entry as Record<string, unknown>;
  if (typeof level !== 'number' || level < 40) return undefined;
  const words = pinoLevels[Math.min(60, Math.floor(level / 10) * 10)] ?? 'error';
  if (msg === 'request') {
    // A refused request (4xx) is the caller's business, and routine for the portal's
    // session refresh: only the server's own failures reach the terminal.
    if (typeof status !== 'number' || status < 500) return undefined;
    return `[${name}] ${words}: ${String(method)} ${String(path)} failed with ${status}`;
  }
  const why = (err as { message?: unknown } | undefined)?.message;
  return `[${name}] ${words}: ${String(msg ?? '')}${typeof why === 'string' ? ` (${why})` : ''}`;
}

/** Prints the service's warnings and errors as they come (its log file keeps everything). */
export function echoProblems(service: Service, print: (line: string) => void): void {
  const streams = [
    [service.child.stdout, false],
    [service.child.stderr, true],
  ] as const;
  for (const [stream, fromStderr] of streams) {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const shown = problemLine(service.name, line, fromStderr);
        if (shown) print(shown);
      }
    });
  }
}
