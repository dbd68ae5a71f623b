import type { CloudPath } from '../../contracts/cloudPath';
import type { SimulatedNetwork } from '../simulator/network';
import type { ProbeSample, ProbeSource } from './probes';

// The monitor's probes on a simulated box: each reads the simulated network's state
// through its checks, so a scenario's fault is what the monitor sees.

export function simulatedProbes(network: () => SimulatedNetwork): ProbeSource {
  return {
    cloudPath: (): CloudPath => (network().activeUplink === 'lte' ? 'lte' : 'wired'),
    round(withHttp) {
      const net = network();
      const samples: ProbeSample[] = [];
      const gateway = net.runCheck('gateway');
      const rtt = gateway.check === 'gateway' ? gateway.data.rttMs : undefined;
      samples.push({ target: 'gateway', sent: 1, answeredMs: gateway.ok ? [rtt ?? 1] : [] });
      const dns = net.runCheck('dns');
      const dnsMs = dns.check === 'dns' ? dns.data.configured?.ms : undefined;
      samples.push({ target: 'dns', sent: 1, answeredMs: dns.ok ? [dnsMs ?? 10] : [] });
      const internet = net.runCheck('internet');
      for (const target of internet.check === 'internet' ? internet.data.targets : []) {
        // One echo request per target, lost as often as the simulated line loses them.
        const lost = target.lossPct >= 100 || Math.random() * 100 < target.lossPct;
        const ms = (target.avgMs ?? 20) + (Math.random() - 0.5) * (target.jitterMs ?? 1);
        samples.push({ target: 'internet', sent: 1, answeredMs: lost ? [] : [Math.max(0.1, ms)] });
      }
      if (withHttp) {
        const http = net.runCheck('http');
        const ms = http.check === 'http' ? http.data.totalMs : undefined;
        samples.push({ target: 'http', sent: 1, answeredMs: http.ok ? [ms ?? 200] : [] });
      }
      return Promise.resolve(samples);
    },
  };
}
