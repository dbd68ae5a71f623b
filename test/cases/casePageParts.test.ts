import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileScript, parse } from '@vue/compiler-sfc';
import ts from 'typescript';
import { computed, createSSRApp, h, ref, type Component } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { casesRefusedBecause } from '../../portal/app/utils/subscription';

// The case page's parts this issue changed, rendered without a browser: each component is
// compiled as Nuxt compiles it (script setup, its template inlined) and rendered on the
// server, with Nuxt's auto-imports the parts use given by hand.

const componentsDir = path.resolve(__dirname, '..', '..', 'portal', 'app', 'components');
const autoImports = {
  computed,
  ref,
  useApi: () => ({ api: async () => ({ ok: false }) }),
  // A customer of an active subscription: cases open.
  useSession: () => ({ user: ref({ subscription: { status: 'active' } }) }),
  casesRefusedBecause,
};

function load(name: string): Component {
  const file = path.join(componentsDir, `${name}.vue`);
  const { descriptor } = parse(readFileSync(file, 'utf8'), { filename: file });
  const script = compileScript(descriptor, {
    id: name,
    inlineTemplate: true,
    templateOptions: { ssr: true },
  });
  const js = ts.transpileModule(script.content, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const module = { exports: {} as { default: Component } };
  new Function('require', 'exports', 'module', ...Object.keys(autoImports), js)(
    require,
    module.exports,
    module,
    ...Object.values(autoImports),
  );
  return module.exports.default;
}

async function render(name: string, props: Record<string, unknown>): Promise<string> {
  const app = createSSRApp({ render: () => h(load(name), props) });
  // NuxtLink renders a plain link here.
  app.component(
    'NuxtLink',
    (p: { to: string }, { slots }: { slots: { default?: () => unknown } }) =>
      h('a', { href: p.to }, slots.default?.() as never),
  );
  // Components the parts use, as Nuxt registers them.
  app.component('DescriptionField', load('DescriptionField'));
  return renderToString(app);
}

const at = Date.UTC(2026, 11, 6, 9, 41, 7);
/** Seconds and a time zone, in whatever locale and zone the test runs. */
const toTheSecondWithZone = /\d{1,2}:\d{2}:07\b.*\b(UTC|GMT[+-]?\d*|[A-Z]{2,5})/;

describe("the case page's parts", () => {
  it('AuditTrail: who by name, time to the second with the zone, the note; a focusable named scroll region', async () => {
    const html = await render('AuditTrail', {
      audit: {
        verification: { valid: true },
        entries: [
          {
            id: 'c:7',
            seq: 7,
            actionType: 'fix_approved',
            actor: { id: 'user-uuid', role: 'customer' },
            who: 'Dana Reception',
            channel: 'portal',
            actionDetails: { note: 'Go ahead, nobody is on a call' },
            userApproved: true,
            executedAt: new Date(at).toISOString(),
          },
        ],
      },
    });
    expect(html).toMatch(
      /<div class="table-wrap" tabindex="0" role="region" aria-label="Audit trail entries"/,
    );
    expect(html).toContain('<h2 id="audit-heading"');
    expect(html).toContain('Dana Reception');
    expect(html).not.toContain('user-uuid');
    expect(html).toContain('Go ahead, nobody is on a call');
    const when = html.match(/<time[^>]*>([^<]*)<\/time>/)![1]!;
    expect(when).toMatch(toTheSecondWithZone);
  });

  it('CaseTimeline: who, the customer’s words, and the time to the second with the zone', async () => {
    const html = await render('CaseTimeline', {
      entries: [
        { at, text: 'Approved through the portal', who: 'Dana Reception', note: 'Go ahead' },
      ],
    });
    expect(html).toContain('Approved through the portal');
    expect(html).toContain('Dana Reception');
    expect(html).toContain('Go ahead');
    expect(html.match(/<time[^>]*>([^<]*)<\/time>/)![1]).toMatch(toTheSecondWithZone);
  });

  it('StillBrokenPanel: asks whether the network works, and links a follow-up once there is one', async () => {
    const asking = await render('StillBrokenPanel', { caseId: 'c1' });
    expect(asking).toContain('Is your network working now?');
    expect(asking).toMatch(/<button[^>]*>Yes<\/button>/);
    expect(asking).toMatch(/<button[^>]*>\s*It is still not working\s*<\/button>/);

    const reported = await render('StillBrokenPanel', { caseId: 'c1', followUpCaseId: 'c2' });
    expect(reported).toMatch(/<a href="\/cases\/c2"[^>]*>\s*See the follow-up case/);
    expect(reported).not.toContain('It is still not working</button>');
  });
});
