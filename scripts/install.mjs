import { ensureNodeModules } from './bootstrap.mjs';

// `npm run setup`: only the npm packages (npm start and npm test do this themselves).
ensureNodeModules();
