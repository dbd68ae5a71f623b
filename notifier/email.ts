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

export async function sendEmail(
  settings: EmailSettings,
  to: string,
  words: Words,
): Promise<{ providerId?: string }> {
  try {
    const info = await mailTransport(settings.smtpUrl).sendMail({
      from: settings.from,
      to,
      subject: words.subject,
      text: words.text,
      ...(words.html && { html: words.html }),
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
