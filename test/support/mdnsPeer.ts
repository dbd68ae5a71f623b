import { Bonjour } from 'bonjour-service';
import { browseMdns } from '../../agent/discovery/mdns';

// One side of the mDNS test, run inside a test-made network namespace
// (`ip netns exec`), never on the host's interfaces:
//   publish '<json [{name, type, port}]>'   announce services until killed; prints "published"
//   browse <ms> [max]                       print what agent/discovery/mdns.ts finds (JSON)

async function main() {
  const [mode, arg, max] = process.argv.slice(2);
  if (mode === 'publish') {
    const services = JSON.parse(arg!) as Array<{ name: string; type: string; port: number }>;
    const bonjour = new Bonjour();
    let up = 0;
    for (const service of services) {
      bonjour.publish({ ...service, disableIPv6: true }).on('up', () => {
        if (++up === services.length) console.log('published');
      });
    }
    process.once('SIGTERM', () =>
      bonjour.unpublishAll(() => bonjour.destroy(() => process.exit(0))),
    );
    return;
  }
  if (mode === 'browse') {
    const found = await browseMdns({
      durationMs: Number(arg),
      maxServices: max ? Number(max) : undefined,
    });
    console.log(JSON.stringify(found));
    return;
  }
  throw new Error(`unknown mode ${mode}`);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
