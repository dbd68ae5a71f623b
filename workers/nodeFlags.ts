// Node flags of the worker process, for every place that starts it.
//
// The heap limit: left alone, V8 sizes it from the machine's memory and lets
// the garbage of many waiting cases pile up (1.26 GB RSS with 621 cases open
// on a 23 GB machine); limited, it collects sooner. The SDK also sizes its
// workflow cache from this limit (about 180 cases at 512 MB).
export const workerNodeFlags = ['--max-old-space-size=512'];
