import { loadConfig } from '../../config';
import { mailTransport } from '../../notifier/email';

// Outgoing one-time code email: the SMTP server in SMTP_URL (the local sink under npm start),
// through the same transport as every other email (notifier/email.ts).

export async function sendMail(message: { to: string; subject: string; text: string }) {
  const { smtpUrl, mailFrom } = loadConfig().mail;
  if (!smtpUrl) throw new Error('SMTP_URL is not set: no way to send email');
  await mailTransport(smtpUrl).sendMail({ from: mailFrom, ...message });
}
