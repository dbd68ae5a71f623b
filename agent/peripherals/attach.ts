import type { BindingInterface } from '@serialport/bindings-interface';
import type { Heartbeat } from '../../contracts/device';
import type { AgentConfig } from '../config';
import { browseMdns } from '../discovery/mdns';
import type { Providers } from '../linux/backend';
import { createLed, createStatusLight, type StatusLight } from './led';
import { readLteStatus } from './lteModem';

// The Pi's peripherals as the real agent uses them: the LTE modem and mDNS
// discovery behind the diagnostics checks, the status LED and the LTE signal
// in the heartbeat.

/** The checks' data sources; no LTE modem configured: the lte check finds none. */
export function peripheralProviders(config: AgentConfig, bindings: SerialBindings = {}): Providers {
  const ltePath = config.serialPorts.lteModem;
  return {
    lte: ltePath ? () => readLteStatus({ path: ltePath, binding: bindings.lte }) : undefined,
    mdns: () => browseMdns({ durationMs: 3000 }),
  };
}

/** How the serial ports are reached; tests pass @serialport/binding-mock. Default: the real one. */
export interface SerialBindings {
  led?: BindingInterface;
  lte?: BindingInterface;
}

export interface Peripherals {
  providers: Providers;
  light: StatusLight;
  /** What the peripherals add to each heartbeat. */
  heartbeat(): Pick<Heartbeat, 'led' | 'lte'>;
  stop(): Promise<void>;
}

/** How often the heartbeat's LTE reading is refreshed. */
const lteRefreshMs = 5 * 60_000;

export function startPeripherals(
  config: AgentConfig,
  {
    log = (line: string) => console.log(line),
    bindings = {},
  }: { log?: (line: string) => void; bindings?: SerialBindings } = {},
): Peripherals {
  const providers = peripheralProviders(config, bindings);
  const ledPath = config.serialPorts.led;
  const led = ledPath ? createLed({ path: ledPath, binding: bindings.led, log }) : undefined;
  const light = createStatusLight(led);

  let lte: Heartbeat['lte'];
  let lteFailing = false;
  const readLte = providers.lte;
  const refresh = async () => {
    try {
      const status = await readLte!();
      lte = status.present
        ? { signalDbm: status.signalDbm, registered: status.registered }
        : undefined;
      lteFailing = false;
    } catch (err) {
      lte = undefined;
      if (!lteFailing) log(`LTE modem: ${(err as Error).message}`);
      lteFailing = true;
    }
  };
  const timer = readLte ? setInterval(() => void refresh(), lteRefreshMs) : undefined;
  timer?.unref();
  if (readLte) void refresh();

  return {
    providers,
    light,
    heartbeat: () => ({ led: light.state, ...(lte ? { lte } : {}) }),
    async stop() {
      clearInterval(timer);
      await led?.close();
    },
  };
}
