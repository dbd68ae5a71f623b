import nodemailer, { type Transporter } from 'nodemailer';
import { neverConnected, Refused } from './refused';
import type { Words } from './words';

// Email through SMTP (the local sink under npm start and in tests).

export interface EmailSettings {
  smtpUrl: string;
  from: string;
}

const transports = new Map<string, Transporter>();

/** One SMTP transport per server, for every email the product sends (codes too). */
export function mailTransport(smtpUrl: string): Transporter {
  let transport = transports.get(smtpUrl);
  if (!transport) {
    transport = nodemailer.createTransport(smtpUrl);
    transports.set(smtpUrl, transport);
  }
  return transport;
}

export interface MailMessage {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
}

/** Sends one message; a server that would not take it (nothing went out) throws Refused. */
export async function sendMail(
  settings: EmailSettings,
  message: MailMessage,
): Promise<{ providerId?: string }> {
  try {
    const info = await mailTransport(settings.smtpUrl).sendMail({
      from: settings.from,
      ...message,
    });
    return { providerId: info.messageId };
  } catch (err) {
    const e = err as { responseCode?: number; code?: string; message?: string };
    // An SMTP reply (4xx, 5xx) is the server refusing: the message was not taken.
    if (e.responseCode || e.code === 'ECONNECTION' || neverConnected(err)) {
      throw new Refused(`The mail server refused the message: ${e.message ?? e.code}`);
    }
    throw err;
  }
}

export async function sendEmail(
  settings: EmailSettings,
  to: string,
  words: Words,
): Promise<{ providerId?: string }> {
  return sendMail(settings, {
    to,
    subject: words.subject,
    text: words.text,
    ...(words.html && { html: words.html }),
  });
}
