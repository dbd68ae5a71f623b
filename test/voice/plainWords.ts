import { checkNames } from '../../contracts/checks';
import { actionIds } from '../../contracts/remediation';

// Words no caller may hear, built from the contracts rather than from the phone's
// own list: check and fix ids, "Round 1: running ...", UUIDs, our back end's names.
// Check ids that are plain English words (link, gateway, modem...) are fine to say.

const english = new Set(['link', 'gateway', 'internet', 'modem', 'wifi']);
const ids = [...checkNames.filter((n) => !english.has(n)), ...actionIds];

export const internalWord = new RegExp(
  [
    `\\b(${ids.join('|')})\\b`,
    '\\bRound \\d',
    '\\brunning [a-z_]+,',
    '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-',
    '\\b(Temporal|MongoDB|FerretDB)\\b',
  ].join('|'),
);

export function expectPlainWords(lines: readonly string[]): void {
  const internal = lines.filter((line) => internalWord.test(line));
  expect(internal).toEqual([]);
}
