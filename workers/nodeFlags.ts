// How Node runs a worker process, for every place that starts one.
//
// The heap limit: left alone, V8 sizes it from the machine's memory and lets
// the garbage of many waiting cases pile up (1.26 GB RSS with 621 cases open
// on a 23 GB machine); limited, it collects sooner. The SDK also sizes its
// workflow cache from this limit (about 180 cases at 512 MB).
const heapLimit = '--max-old-space-size=512';

/** Node's arguments for a worker entry point (the product's, or the bench's baseline). */
export function workerNodeArgs(entry = 'workers/main.ts'): string[] {
  return [heapLimit, '--import', 'tsx', entry];
}
