import type { Response } from 'express';
import { loadConfig } from '../../config';
import type { CustomerRole } from '../../contracts/tenancy';
import type { Logger } from '../../observability/logger';
import { User } from '../../store/models';
import { sendMail } from '../identity/mailer';
import { isDuplicateKey } from './phones';

// Inviting a person by e-mail: an account with the address, and an e-mail saying where
// to sign in (with the emailed code, as every sign-in). An address can belong to one
// account only. When it already has one elsewhere, nothing is created and the caller
// gets the very same answer, so an invitation cannot tell whether someone has an
// account with us; the address's owner instead hears that someone tried to invite it,
// so a real colleague learns to ask for another address and a stranger's attempt is
// seen by the person it concerns.

export type Membership =
  | { kind: 'customer'; customerId: string; businessName: string; role: CustomerRole }
  | { kind: 'partner'; partnerId: string; partnerName: string };

export interface Invitee {
  email: string;
  name?: string;
}

/** The mailing to do once the answer has gone, so it takes as long either way. */
export type Mailing = () => Promise<void>;

export async function invite(invitee: Invitee, membership: Membership): Promise<Mailing> {
  const existing = await User.findOne({ email: invitee.email }).lean();
  if (existing) return mailingFor(existing, invitee, membership);
  try {
    await User.create({
      email: invitee.email,
      ...(invitee.name && { name: invitee.name }),
      ...(membership.kind === 'customer'
        ? { role: 'customer', customerId: membership.customerId, customerRole: membership.role }
        : { role: 'partner', partnerId: membership.partnerId }),
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // The same address invited twice at once: the other invitation created it.
    const raced = await User.findOne({ email: invitee.email }).lean();
    if (!raced) throw err;
    return mailingFor(raced, invitee, membership);
  }
  return () => sendMail(invitationMail(invitee, membership));
}

interface ExistingUser {
  role: string;
  customerId?: string | null;
  partnerId?: string | null;
}

/** Already one of these people: invited again (nothing changes); anyone else: told of the try. */
function mailingFor(user: ExistingUser, invitee: Invitee, membership: Membership): Mailing {
  const same =
    membership.kind === 'customer'
      ? user.role === 'customer' && user.customerId === membership.customerId
      : user.role === 'partner' && user.partnerId === membership.partnerId;
  const mail = same ? invitationMail(invitee, membership) : triedMail(invitee, membership);
  return () => sendMail(mail);
}

function signInLink(): string {
  return `${loadConfig().portal.url.replace(/\/$/, '')}/login`;
}

function whose(membership: Membership): string {
  return membership.kind === 'customer'
    ? `${membership.businessName}'s Zen & Zen account`
    : `the Zen & Zen partner console of ${membership.partnerName}`;
}

function invitationMail(invitee: Invitee, membership: Membership) {
  const as =
    membership.kind === 'customer'
      ? membership.role === 'admin'
        ? 'as an admin (you can manage its people, sites and Zen boxes)'
        : 'as a member (you can open and follow support cases)'
      : 'to look after its customers';
  return {
    to: invitee.email,
    subject: `You are invited to ${whose(membership)}`,
    text: [
      `Hello${invitee.name ? ` ${invitee.name}` : ''},`,
      '',
      `You have been invited to ${whose(membership)} ${as}.`,
      '',
      `Sign in at ${signInLink()} with this e-mail address (${invitee.email}).`,
      'Each time you sign in we e-mail you a one-time code: there is no password to remember.',
      '',
      'If you did not expect this invitation, you can ignore this e-mail.',
    ].join('\n'),
  };
}

function triedMail(invitee: Invitee, membership: Membership) {
  return {
    to: invitee.email,
    subject: 'Someone tried to invite this address to Zen & Zen',
    text: [
      `Someone tried to invite this address (${invitee.email}) to ${whose(membership)}.`,
      '',
      'This address already has a Zen & Zen sign-in, and an address can belong to one account only, so nothing was changed.',
      'If you expected this invitation, ask them to invite another address of yours.',
      'If you did not, you can ignore this e-mail: your own account is as it was.',
      '',
      `Your own sign-in stays at ${signInLink()}.`,
    ].join('\n'),
  };
}

/** Sends the mailing once the answer has gone; a failure is logged, the invitation stands. */
export function mailAfterAnswer(res: Response, mailing: Mailing, logger: Logger): void {
  res.once('finish', () => {
    mailing().catch((err: unknown) => logger.error({ err }, 'could not email an invitation'));
  });
}
