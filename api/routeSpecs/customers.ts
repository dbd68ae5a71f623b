import { CustomerPreferences, CustomersResponse, ListCustomersQuery } from '../../contracts/api';
import { NotificationSettings } from '../../contracts/notifications';
import { CaseSatisfactionView, RatingPage, SatisfactionAnswer } from '../../contracts/satisfaction';
import { technicians, type RouteSpec } from '../routeSpec';

// A customer's own account, notification settings, ratings by link, monthly reports.

export const customersRoutes: RouteSpec[] = [
  {
    method: 'GET',
    path: '/api/customers',
    summary:
      'Customers by business name, a page at a time, with subscription and partner; a partner sees only its own',
    access: { roles: ['operator', 'partner'] },
    query: ListCustomersQuery,
    response: CustomersResponse,
    answers: { '400': 'A bad search, or a cursor this list did not give (BAD_CURSOR)' },
  },
  {
    method: 'GET',
    path: '/api/customers/me',
    summary: "The customer's own account",
    access: { roles: ['customer'] },
  },
  {
    method: 'PATCH',
    path: '/api/customers/me',
    summary: 'Change the proactive-call opt-in',
    access: { roles: ['customer_admin'] },
    body: CustomerPreferences,
  },
  {
    method: 'GET',
    path: '/api/customers/me/notifications',
    summary:
      "Who at the customer hears about what, and quiet hours (the account's email and phone for every event until chosen)",
    access: { roles: ['customer'] },
    response: NotificationSettings,
  },
  {
    method: 'PUT',
    path: '/api/customers/me/notifications',
    summary: "Replace the customer's notification settings",
    access: { roles: ['customer_admin'] },
    body: NotificationSettings,
    response: NotificationSettings,
    answers: {
      '400':
        'INVALID_SETTINGS: the error names each field that is wrong (details: [{path, message}])',
    },
  },
  {
    method: 'GET',
    path: '/api/customers/:customerId/notifications',
    summary: "A customer's notification settings",
    access: { roles: technicians },
    response: NotificationSettings,
    answers: { '404': 'CUSTOMER_NOT_FOUND' },
  },
  {
    method: 'PUT',
    path: '/api/customers/:customerId/notifications',
    summary: "Replace a customer's notification settings",
    access: { roles: technicians },
    body: NotificationSettings,
    response: NotificationSettings,
    answers: {
      '400':
        'INVALID_SETTINGS: the error names each field that is wrong (details: [{path, message}])',
      '404': 'CUSTOMER_NOT_FOUND',
    },
  },
  {
    method: 'GET',
    path: '/api/satisfaction/:token',
    summary:
      "The rating page of a closing email's link: the case's outcome, and whether it is rated",
    access: { public: 'rating-link' },
    response: RatingPage,
    answers: {
      '404': 'NOT_FOUND: the link is unknown, tampered with or expired (one answer for all)',
      '409': 'NOT_RATEABLE: the case is not closed, or was cancelled',
    },
  },
  {
    method: 'POST',
    path: '/api/satisfaction/:token',
    summary: 'Rate a closed case by its emailed link: a score of 1 to 5, and a comment if wished',
    access: { public: 'rating-link' },
    body: SatisfactionAnswer,
    response: CaseSatisfactionView,
    answers: {
      '201': 'Stored',
      '404': 'NOT_FOUND: the link is unknown, tampered with or expired (one answer for all)',
      '409': 'ALREADY_ANSWERED (a case is rated once, on any channel) or NOT_RATEABLE',
    },
  },
  {
    method: 'GET',
    path: '/api/customers/:customerId/reports/:month',
    summary: "Preview a customer's monthly report email (month: YYYY-MM), as HTML",
    access: { roles: technicians },
    answers: {
      '200': 'The report as an HTML page (text/html); a month in progress shows its figures so far',
      '400': 'INVALID_REPORT_REQUEST: not a month as YYYY-MM, or a month that has not begun',
      '404': 'CUSTOMER_NOT_FOUND',
    },
  },
];
