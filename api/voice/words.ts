import type { IssueCategory } from '../../contracts/case';
import { fixDescriptions, type ActionId } from '../../contracts/fixes';

// The phone's own plain words for what a case knows as typed fields: the issue
// category, the fix id, its risk and duration. A caller never hears the
// workflow's free progress text (check ids, "Round 1: running ...").

/** What is wrong, by the case's issue category. */
export const problemWords: Record<IssueCategory, string> = {
  unknown: 'Your Zen box found a problem on your network.',
  none: 'Your Zen box found nothing wrong with your network.',
  dns: 'Your internet works, but the service that looks up website names is not answering, so websites do not open.',
  dhcp: 'Computers on your network are not being given a network address, so they cannot get online.',
  gateway:
    'Your router has stopped answering, so computers on your network cannot get through it to the internet.',
  modem: 'Your modem is not passing traffic to the internet.',
  isp: 'Your internet line is down beyond your own equipment, at your internet provider.',
  'packet-loss':
    'Your internet works but is unreliable: part of the traffic gets lost on the way, which makes calls choppy and pages slow.',
  link: "The Zen box's network cable has no connection.",
  filtering: 'Something on your network is blocking part of the internet traffic.',
  clock: "The Zen box's clock is wrong, which stops secure connections from working.",
  'ip-conflict':
    'Two devices on your network are using the same address, so they get in the way of each other.',
  ipv6: 'The newer kind of internet addressing on your network is not working.',
  wifi: 'Your Wi-Fi is not working properly.',
  performance: 'Your network or internet connection is slower than it should be.',
  'lan-device': 'A device on your network is not answering.',
};

interface FixWords {
  /** Imperative, for the e-mail and the keypad question: "Restart your router". */
  short: string;
  /** What the fix does, as a sentence. */
  does: string;
  /** What is down and for how long, given the catalog's duration ("3 minutes"). */
  downtime: (duration: string) => string;
  /** The same, short, for the e-mail: "about 3 minutes without internet". */
  outage: (duration: string) => string;
}

const officeDown = (what: string) => ({
  downtime: (d: string) => `${what} will be down for about ${d} while it restarts.`,
  outage: (d: string) => `about ${d} without internet`,
});
const boxOnly = {
  downtime: (d: string) =>
    `Your office stays online; only the Zen box itself is busy for about ${d}.`,
  outage: () => 'your office stays online',
};

/** A router setting the router keeps only once it is shown to work: nothing goes down. */
const routerSetting = {
  downtime: (d: string) =>
    `Nothing goes down; your computers pick up the change as they reconnect, within about ${d}.`,
  outage: () => 'no downtime',
};

export const fixWords: Record<ActionId, FixWords> = {
  renew_dhcp_lease: {
    short: "Renew the Zen box's network address",
    does: 'Your Zen box asks your router for a fresh network address for itself.',
    ...boxOnly,
  },
  restart_interface: {
    short: "Restart the Zen box's network connection",
    does: 'Your Zen box restarts its own network connection.',
    ...boxOnly,
  },
  flush_dns: {
    short: "Clear the Zen box's list of website names",
    does: 'Your Zen box forgets the website names it remembered and looks them up again.',
    ...boxOnly,
  },
  switch_dns_fallback: {
    short: 'Switch the Zen box to a backup name service',
    does: 'Your Zen box uses a backup service to look up website names.',
    ...boxOnly,
  },
  power_cycle_modem: {
    short: 'Restart your modem',
    does: 'Your Zen box turns your modem off and on again with its smart plug.',
    ...officeDown('Your internet'),
  },
  power_cycle_router: {
    short: 'Restart your router',
    does: 'Your Zen box turns your router off and on again with its smart plug.',
    downtime: (d) =>
      `Your whole network, and the internet, will be down for about ${d} while it restarts.`,
    outage: (d) => `about ${d} without network or internet`,
  },
  failover_lte: {
    short: "Move the Zen box's own connection to its mobile backup line",
    does: "Your Zen box moves its own connection to its mobile backup line; your office's traffic stays where it is.",
    ...boxOnly,
  },
  failback_wan: {
    short: "Move the Zen box's own connection back to your internet line",
    does: 'Your Zen box moves its own connection from its mobile backup line back to your internet line.',
    ...boxOnly,
  },
  router_set_dhcp_dns: {
    short: 'Set your router to hand out a working name service',
    does: 'Your Zen box sets your router to give your computers a website name service that works. The router keeps the change only once your Zen box has checked that it works.',
    ...routerSetting,
  },
  router_set_dhcp_gateway: {
    short: 'Set your router to hand out its own address as the way out',
    does: 'Your Zen box sets your router to give your computers the right way out to the internet. The router keeps the change only once your Zen box has checked that it works.',
    ...routerSetting,
  },
  router_restart_wan: {
    short: "Restart your router's internet connection",
    does: 'Your Zen box tells your router to reconnect to your internet provider.',
    ...officeDown('Your internet'),
  },
};

/** The fields of a proposed fix the phone speaks from (workflows/messages.ts Proposal). */
export interface FixFacts {
  action: ActionId;
  risk?: string;
  estimatedDuration?: string;
}

function durationOf(fix: FixFacts): string {
  return fix.estimatedDuration ?? fixDescriptions[fix.action].estimatedDuration;
}

/** "The risk is low." from the catalog's risk level. */
export function riskWords(fix: FixFacts): string {
  const risk = fix.risk ?? fixDescriptions[fix.action].risk;
  return risk === 'low'
    ? 'The risk is low.'
    : risk === 'medium'
      ? 'The risk is medium: it briefly interrupts equipment your office relies on.'
      : 'The risk is high.';
}

/** What is wrong, what the fix does, its risk and its downtime: said before approval is asked. */
export function explainFix(category: IssueCategory, fix: FixFacts): string {
  const words = fixWords[fix.action];
  return [
    problemWords[category],
    `The fix: ${words.does}`,
    riskWords(fix),
    words.downtime(durationOf(fix)),
  ].join(' ');
}

/** For the keypad question: "Restart your router, with about 3 minutes without network or internet". */
export function shortFix(fix: FixFacts): string {
  const words = fixWords[fix.action];
  return `${words.short} (${words.outage(durationOf(fix))})`;
}

/** What the e-mailed code approves: the fix in plain words, and where. */
export function codeAbout(fix: FixFacts, site: string | undefined): string {
  return `${shortFix(fix)}${site ? ` for the case at ${site}` : ''}`;
}

/**
 * Words no caller should hear: check and fix ids (snake_case or short lowercase
 * ids), "Round 1: running ...", UUIDs, and the names of our back end.
 */
const internal = [
  /\b[a-z0-9]+_[a-z0-9_]+\b/,
  /\b(dns|dhcp|mdns|lte|ipv6|http|traceroute|ip_config)\b/,
  /\bRound \d+\b/i,
  /\brunning [a-z_]+(, [a-z_]+)+/i,
  /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i,
  /\b(Temporal|MongoDB|FerretDB|workflow)\b/i,
];

/** True when free text (an advisor's instructions) is fit to read to a caller as it is. */
export function isPlain(text: string): boolean {
  return !internal.some((pattern) => pattern.test(text));
}
