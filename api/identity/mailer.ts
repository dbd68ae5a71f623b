import nodemailer, { type Transporter } from 'nodemailer';
import { loadConfig } from '../../config';

// Outgoing email: the SMTP server in SMTP_URL (the local sink under npm start).

let transport: Transporter | undefined;

export async function sendMail(message: { to: string; subject: string; text: string }) {
  const { smtpUrl, mailFrom } = loadConfig().mail;
  if (!smtpUrl) throw new Error('SMTP_URL is not set: no way to send email');
  transport ??= nodemailer.createTransport(smtpUrl);
  await transport.sendMail({ from: mailFrom, ...message });
}
