import { ensureNodeModules, runScript } from './bootstrap.mjs';

ensureNodeModules();
runScript('stack', process.argv.slice(2));
