import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensurePortalBuilt, portalServerEntry } from '../../scripts/portalBuild';
import type { SmtpSink } from '../../stand-ins/smtpSink';
import { freePort } from '../../temporal-config/process';
import { outboxMessages, readLatestCode, startMailSink } from './mail';
import { eventually, startTestStack, type TestStack, type TestStackOptions } from './stack';

// The built portal (production Nuxt server) in front of a test API, as `npm start` runs it,
// and Debian's chromium to look at it.

export const CHROMIUM = '/usr/bin/chromium';
const inCi = process.env.CI === 'true';
const haveChromium = existsSync(CHROMIUM);

/** `describe` for browser tests: skipped without chromium on a developer's machine, never in CI. */
export function describeInBrowser(name: string, tests: () => void): void {
  if (!haveChromium && !inCi) {
    console.warn(
      `Skipping "${name}": ${CHROMIUM} is missing (apt-get install -y chromium; npm test installs it as root).`,
    );
    describe.skip(name, tests);
    return;
  }
  // In CI a missing browser fails the tests instead of skipping them.
  describe(name, tests);
}

/** Playwright gives every launch a fresh temporary profile; nothing is downloaded. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Signs in through the portal's form with the code the mail sink received. */
export async function signInThroughPortal(page: Page, sink: SmtpSink, email: string) {
  const seen = outboxMessages(sink.outbox).filter((m) => m.includes(`To: ${email}`)).length;
  await page.goto('/login');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a code' }).click();
  const code = await readLatestCode(sink.outbox, email, seen);
  await page.getByLabel('Six-digit code').fill(code);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export interface TestPortal {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startPortal(apiUrl: string, temporalUiUrl: string): Promise<TestPortal> {
  // A no-op when the build is current (npm test builds it before jest starts).
  await ensurePortalBuilt(() => undefined);
  const port = await freePort();
  const child = spawn(process.execPath, [portalServerEntry], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      NUXT_API_URL: apiUrl,
      NUXT_PUBLIC_TEMPORAL_UI_URL: temporalUiUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(url).catch(() => undefined))?.ok, {
    timeoutMs: 30_000,
    what: 'the portal to serve its first page',
  }).catch((err: Error) => {
    child.kill();
    throw new Error(`${err.message}\n${output}`);
  });
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** What the portal's links to the Temporal UI point at in browser tests. */
export const TEST_TEMPORAL_UI = 'http://127.0.0.1:8233';

/** A test stack, the mail sink for its codes, the built portal before it, and chromium. */
export interface PortalWorld {
  stack: TestStack;
  sink: SmtpSink;
  portal: TestPortal;
  browser: Browser;
  /** A fresh browser context on the portal; signed in through its form when `email` is given. */
  context(email?: string): Promise<BrowserContext>;
  stop(): Promise<void>;
}

export async function startPortalWorld(
  label: string,
  options?: TestStackOptions,
): Promise<PortalWorld> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const next of stops.splice(0).reverse()) await next();
  };
  try {
    const sink = await startMailSink(mkdtempSync(path.join(os.tmpdir(), `zen-${label}-mail-`)));
    stops.push(() => sink.stop());
    const stack = await startTestStack(label, options);
    stops.push(() => stack.stop());
    const portal = await startPortal(stack.apiUrl, TEST_TEMPORAL_UI);
    stops.push(() => portal.stop());
    const browser = await launchChromium();
    stops.push(() => browser.close());
    return {
      stack,
      sink,
      portal,
      browser,
      async context(email) {
        const context = await browser.newContext({ baseURL: portal.url });
        if (email) {
          const page = await context.newPage();
          await signInThroughPortal(page, sink, email);
          await page.waitForURL(/\/(dashboard|operator)$/);
          await page.close();
        }
        return context;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
