import { Router, type Request } from 'express';
import { z } from 'zod';
import { NotificationSettings } from '../../contracts/notifications';
import { Customer } from '../../store/models';
import {
  loadNotificationSettings,
  saveNotificationSettings,
} from '../../store/notificationSettings';
import type { RequireRole } from '../auth';
import { HttpError } from '../errors';
import { reachesCustomer } from '../tenantScope';

// Who at a customer hears about what, and when not: the customer their own settings,
// operators any customer's. Nothing chosen yet reads as the defaults (the account's
// email and phone, every event).

const CustomerParams = z.object({ customerId: z.string().min(1).max(100) });

/** One field that failed, by its path (contacts.0.email) and in words for the person. */
interface FieldProblem {
  path: string;
  message: string;
}

const FIELD_WORDS: Record<string, string> = {
  name: 'name',
  email: 'email',
  phone: 'phone',
  channels: 'how to reach them',
  events: 'what to hear about',
  start: 'start',
  end: 'end',
  timeZone: 'time zone',
};

/** "Contact 2, email", "Quiet hours, time zone": where the problem is, as the page names it. */
function fieldWords(path: PropertyKey[]): string {
  const [top, index, field] = path;
  if (top === 'contacts' && typeof index === 'number') {
    const where = `Contact ${index + 1}`;
    return field === undefined ? where : `${where}, ${FIELD_WORDS[String(field)] ?? 'a field'}`;
  }
  if (top === 'quietHours') {
    return index === undefined
      ? 'Quiet hours'
      : `Quiet hours, ${FIELD_WORDS[String(index)] ?? 'a field'}`;
  }
  if (top === 'contacts') return 'Contacts';
  return 'The settings';
}

function invalid(problems: FieldProblem[]): HttpError {
  const words = problems
    .slice(0, 3)
    .map((p) => p.message)
    .join('; ');
  return new HttpError(400, 'INVALID_SETTINGS', words, problems);
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The settings in the body, or a 400 naming each field that is wrong: the contract's
 * shape, and what it cannot say alone (a contact texted needs a phone, a real time zone).
 */
export function parseSettings(body: unknown): NotificationSettings {
  const parsed = NotificationSettings.safeParse(body);
  if (!parsed.success) {
    throw invalid(
      parsed.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: `${fieldWords(issue.path)}: ${issue.message}`,
      })),
    );
  }
  const problems: FieldProblem[] = [];
  parsed.data.contacts.forEach((contact, i) => {
    const needsPhone = contact.channels.filter((c) => c === 'sms' || c === 'phone');
    if (needsPhone.length && !contact.phone) {
      problems.push({
        path: `contacts.${i}.phone`,
        message: `${fieldWords(['contacts', i, 'phone'])}: a phone number is needed for text messages and calls`,
      });
    }
    if (contact.channels.includes('email') && !contact.email) {
      problems.push({
        path: `contacts.${i}.email`,
        message: `${fieldWords(['contacts', i, 'email'])}: an email address is needed to send email`,
      });
    }
  });
  const zone = parsed.data.quietHours?.timeZone;
  if (zone && !isTimeZone(zone)) {
    problems.push({
      path: 'quietHours.timeZone',
      message: `${fieldWords(['quietHours', 'timeZone'])}: not a time zone we know (for example Europe/Berlin)`,
    });
  }
  if (problems.length) throw invalid(problems);
  return parsed.data;
}

export function notificationSettingsRouter(requireRole: RequireRole): Router {
  const router = Router();

  const own = (req: Request) => req.principal!.customerId!;
  // Another partner's customer is as unknown as a missing one.
  const chosen = (req: Request) => {
    const { customerId } = CustomerParams.parse(req.params);
    if (!reachesCustomer(req.principal!, customerId)) {
      throw new HttpError(404, 'CUSTOMER_NOT_FOUND', 'No such customer');
    }
    return customerId;
  };

  router.get('/customers/me/notifications', requireRole('customer'), async (req, res) => {
    res.json(await settingsOf(own(req)));
  });
  router.put('/customers/me/notifications', requireRole('customer_admin'), async (req, res) => {
    res.json(await replaceSettings(own(req), req.body));
  });
  router.get(
    '/customers/:customerId/notifications',
    requireRole('operator', 'partner'),
    async (req, res) => {
      res.json(await settingsOf(chosen(req)));
    },
  );
  router.put(
    '/customers/:customerId/notifications',
    requireRole('operator', 'partner'),
    async (req, res) => {
      res.json(await replaceSettings(chosen(req), req.body));
    },
  );

  return router;
}

async function settingsOf(customerId: string): Promise<NotificationSettings> {
  const settings = await loadNotificationSettings(customerId);
  if (!settings) throw new HttpError(404, 'CUSTOMER_NOT_FOUND', 'No such customer');
  return settings;
}

async function replaceSettings(customerId: string, body: unknown): Promise<NotificationSettings> {
  const settings = parseSettings(body);
  // Settings are kept only for customers that exist: an unknown id stays unknown.
  if (!(await Customer.exists({ _id: customerId }))) {
    throw new HttpError(404, 'CUSTOMER_NOT_FOUND', 'No such customer');
  }
  await saveNotificationSettings(customerId, settings);
  return settingsOf(customerId);
}
