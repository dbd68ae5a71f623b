import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

// The API's modules import one another without a circle (type-only imports
// count too), and reading or opening cases does not depend on the phone.

const root = path.resolve(__dirname, '..', '..');

function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((i) => i.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => path.resolve(path.dirname(file), name))
    .map((base) =>
      [`${base}.ts`, path.join(base, 'index.ts')].find(
        (f) => existsSync(f) && statSync(f).isFile(),
      ),
    )
    .filter((f): f is string => f !== undefined);
}

function graphFrom(entries: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const todo = entries.map((e) => path.join(root, e));
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (graph.has(file)) continue;
    const deps = importsOf(file);
    graph.set(file, deps);
    todo.push(...deps);
  }
  return graph;
}

/** One circle, as relative paths, or undefined. */
function findCircle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === 'done') return undefined;
    if (state.get(file) === 'open') return [...trail.slice(trail.indexOf(file)), file];
    state.set(file, 'open');
    trail.push(file);
    for (const dep of graph.get(file) ?? []) {
      const circle = visit(dep);
      if (circle) return circle;
    }
    trail.pop();
    state.set(file, 'done');
    return undefined;
  };
  for (const file of graph.keys()) {
    const circle = visit(file);
    if (circle) return circle.map((f) => path.relative(root, f));
  }
  return undefined;
}

it('the API has no import circle', () => {
  const graph = graphFrom(['api/main.ts', 'api/app.ts', 'scripts/call.ts']);
  expect(graph.size).toBeGreaterThan(30);
  expect(findCircle(graph)).toBeUndefined();
});

it('api/cases.ts does not depend on the phone channel', () => {
  const reached = [...graphFrom(['api/cases.ts']).keys()].map((f) => path.relative(root, f));
  expect(reached).toContain('api/openCase.ts');
  expect(reached.filter((f) => f.startsWith(path.join('api', 'voice')))).toEqual([]);
});
