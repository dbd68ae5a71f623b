// The agent's log: one JSON line per event on stdout, shaped like the cloud's
// (pino) lines, so lines about one case can be joined by `caseId` across the
// API, the worker and the Pi (journald keeps them on the box).

export type Log = (message: string, fields?: Record<string, unknown>) => void;

export const jsonLog: Log = (message, fields = {}) => {
  console.log(
    JSON.stringify({ time: new Date().toISOString(), service: 'agent', ...fields, msg: message }),
  );
};
