import type { IssueCategory } from '../contracts/case';

/** Ends the case with a hand-over to a person; thrown from deep inside a step. */
export class Escalation extends Error {
  constructor(
    readonly issueCategory: IssueCategory,
    readonly diagnosis: string,
    readonly instructions: string,
  ) {
    super(diagnosis);
  }
}
