import { loadConfig } from '../../config';

describe('configuration from the environment', () => {
  it('defaults to the local stack on the documented ports', () => {
    const config = loadConfig({});
    expect(config.temporal).toMatchObject({
      taskQueue: 'support-cases',
      address: '127.0.0.1:7233',
      namespace: 'zen',
      local: true,
    });
    expect(config.temporal.uiUrl).toBe('http://127.0.0.1:8233');
    expect(config.mongo).toMatchObject({ url: 'mongodb://127.0.0.1:27017/zen', local: true });
    expect(config.api.url).toBe('http://127.0.0.1:4000');
    expect(config.portal.url).toBe('http://127.0.0.1:3000');
  });

  it('notices a silent Zen box within two minutes: socket.io ping 25 s + 20 s, capped at 90 s', () => {
    expect(loadConfig({}).socket).toEqual({ pingIntervalMs: 25_000, pingTimeoutMs: 20_000 });
    expect(() =>
      loadConfig({ SOCKET_PING_INTERVAL_MS: '60000', SOCKET_PING_TIMEOUT_MS: '40000' }),
    ).toThrow(/within two minutes/);
  });

  it('waits 30 minutes for a box after telling the customer what to do', () => {
    expect(loadConfig({}).caseSettings.customerStepWaitMs).toBe(30 * 60_000);
    expect(
      loadConfig({ CASE_CUSTOMER_STEP_WAIT_MINUTES: '10' }).caseSettings.customerStepWaitMs,
    ).toBe(10 * 60_000);
    expect(loadConfig({}).caseSettings.manualStepWaitMs).toBe(30 * 60_000);
    expect(loadConfig({ CASE_MANUAL_STEP_WAIT_MINUTES: '45' }).caseSettings.manualStepWaitMs).toBe(
      45 * 60_000,
    );
  });

  it('moves every port with its variable', () => {
    const config = loadConfig({
      API_PORT: '4100',
      PORTAL_PORT: '3100',
      TEMPORAL_PORT: '7300',
      TEMPORAL_UI_PORT: '8300',
      MONGO_PORT: '27100',
    });
    expect(config.api.url).toBe('http://127.0.0.1:4100');
    expect(config.portal.url).toBe('http://127.0.0.1:3100');
    expect(config.temporal.address).toBe('127.0.0.1:7300');
    expect(config.temporal.uiUrl).toBe('http://127.0.0.1:8300');
    expect(config.mongo.url).toBe('mongodb://127.0.0.1:27100/zen');
  });

  it('treats TEMPORAL_ADDRESS and MONGO_URL as existing servers', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'prod',
      MONGO_URL: 'mongodb://db.internal/zen',
    });
    expect(config.temporal).toMatchObject({
      address: 'temporal.internal:7233',
      namespace: 'prod',
      local: false,
    });
    expect(config.mongo).toMatchObject({ url: 'mongodb://db.internal/zen', local: false });
  });

  it('rejects a bad value with a message naming the variable', () => {
    expect(() => loadConfig({ API_PORT: 'eighty' })).toThrow(/Invalid environment:\n\s+API_PORT:/);
    expect(() => loadConfig({ MONGO_PORT: '70000' })).toThrow(/MONGO_PORT/);
  });
});
