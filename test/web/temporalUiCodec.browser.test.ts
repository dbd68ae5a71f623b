import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { startTemporal } from '../../temporal-config/dev-servers';
import { freePort, type Service } from '../../temporal-config/process';
import { connectDevice, openDemoCase, waitForStatus } from '../support/cases';
import { describeInBrowser, startPortalWorld, type PortalWorld } from '../support/portal';
import { temporalNamespace } from '../support/env';

// The embedded Temporal UI of a dev server, opened by an operator signed in to the portal:
// it decodes a case's encrypted input through the portal's /api/codec, with the portal's
// session cookie. Someone not signed in sees only ciphertext.
//
// The CLI's `--ui-codec-endpoint` sets the endpoint, but the dev server has no flag to make the
// UI send credentials (the compose UI has TEMPORAL_CODEC_INCLUDE_CREDENTIALS). So, as the README
// tells operators, the UI's own codec setting (kept in the browser) names the endpoint with
// "include cross-origin credentials"; the test writes those settings where the UI's dialog does.

describeInBrowser('the Temporal UI decodes payloads for a signed-in operator', () => {
  let temporal: Service;
  let world: PortalWorld;
  let uiUrl: string;
  let workflowId: string;
  const marker = `Marker ${randomUUID()}: the fax line hums`;
  /** A key of the case's input (its settings): readable only once the payload is decoded. */
  const decodedOnly = 'customerStepWaitMs';
  const saved = {
    address: process.env.TEMPORAL_ADDRESS,
    ui: process.env.TEMPORAL_UI_URL,
  };

  beforeAll(async () => {
    // A dev server with its UI, for this file alone; the stack below uses it.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-ui-codec-'));
    const [port, uiPort] = [await freePort(), await freePort()];
    uiUrl = `http://127.0.0.1:${uiPort}`;
    temporal = await startTemporal({
      port,
      uiPort,
      dbFile: path.join(dir, 'temporal.db'),
      logFile: path.join(dir, 'temporal.log'),
      codecEndpoint: 'http://127.0.0.1:3000/api/codec',
    });
    process.env.TEMPORAL_ADDRESS = `127.0.0.1:${port}`;
    // The API's codec endpoint answers browsers of this origin only.
    process.env.TEMPORAL_UI_URL = uiUrl;
    world = await startPortalWorld('ui-codec', {
      caseSettings: { approvalTimeoutMs: 120_000, approvalGraceMs: 120_000 },
    });
    const device = connectDevice(world.stack, 'dns-failure');
    const { handle } = await openDemoCase(world.stack, marker);
    workflowId = handle.workflowId;
    await waitForStatus(handle, 'awaiting_approval');
    device.stop();
  }, 240_000);

  afterAll(async () => {
    await world?.stack.client.workflow
      .getHandle(workflowId)
      .terminate('test over')
      .catch(() => undefined);
    await world?.stop();
    await temporal?.stop();
    process.env.TEMPORAL_ADDRESS = saved.address;
    if (saved.ui === undefined) delete process.env.TEMPORAL_UI_URL;
    else process.env.TEMPORAL_UI_URL = saved.ui;
  });

  /** The UI's codec settings, as its "Codec Server" dialog stores them in the browser. */
  async function useCodecThroughPortal(context: BrowserContext) {
    const settings = {
      endpoint: JSON.stringify(`${world.portal.url}/api/codec`),
      includeCredentials: 'true',
      overrideRemoteCodecConfiguration: 'true',
    };
    await context.addInitScript(
      ({ origin, settings }) => {
        if (location.origin !== origin) return;
        for (const [key, value] of Object.entries(settings)) localStorage.setItem(key, value);
      },
      { origin: uiUrl, settings },
    );
  }

  async function openCaseInUi(page: Page) {
    const decoded = page.waitForResponse((r) => r.url().endsWith('/api/codec/decode'), {
      timeout: 60_000,
    });
    await page.goto(`${uiUrl}/namespaces/${temporalNamespace()}/workflows/${workflowId}`);
    return decoded;
  }

  it("shows the case's input decoded to a signed-in operator", async () => {
    const context = await world.context(world.stack.demo.operator.email);
    try {
      await useCodecThroughPortal(context);
      const page = await context.newPage();
      const decode = await openCaseInUi(page);
      expect(decode.status()).toBe(200);
      await page.waitForFunction((m) => document.body.innerText.includes(m), decodedOnly, {
        timeout: 60_000,
      });
      // The reporter's words stay sealed under their own key, even for an operator (privacy/).
      const text = await page.evaluate(() => document.body.innerText);
      expect(text).not.toContain(marker);
      expect(text).toContain('pii1:person:');
    } finally {
      await context.close();
    }
  }, 120_000);

  it('shows only ciphertext to someone not signed in', async () => {
    const context = await world.context();
    try {
      await useCodecThroughPortal(context);
      const page = await context.newPage();
      const decode = await openCaseInUi(page);
      expect(decode.status()).toBe(401);
      // The page has had its answer; give it a moment to render what it has.
      await page.waitForTimeout(2000);
      const text = await page.evaluate(() => document.body.innerText);
      expect(text).not.toContain(decodedOnly);
      expect(text).not.toContain(marker);
    } finally {
      await context.close();
    }
  }, 120_000);
});
