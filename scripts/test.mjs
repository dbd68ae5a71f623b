import { ensureNodeModules, runScript } from './bootstrap.mjs';

ensureNodeModules();
runScript('test', process.argv.slice(2));
