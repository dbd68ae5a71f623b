import { EraseCustomerRequest } from '../../contracts/privacy';
import { type RouteSpec } from '../routeSpec';

// Export and erasure of personal data (api/routes/privacy.ts).

export const privacyRoutes: RouteSpec[] = [
  {
    method: 'GET',
    path: '/api/customers/:id/export',
    summary:
      'Everything kept of one customer, opened (account, people, sites, boxes, cases with timeline and audit, ratings, notification settings); an operator signed in with the emailed code',
    access: { roles: ['operator'] },
    answers: { '403': 'SIGN_IN_REQUIRED: an API token is not enough', '404': 'CUSTOMER_NOT_FOUND' },
  },
  {
    method: 'POST',
    path: '/api/customers/:id/erase',
    summary:
      'Erase a customer: its keys (cases and audit entries then read "(erased)", their chains still verify), people, contacts, sessions, the account\'s personal fields',
    access: { roles: ['operator'] },
    body: EraseCustomerRequest,
    answers: {
      '400': "CONFIRMATION_MISMATCH: `confirm` is not the business's name",
      '403': 'SIGN_IN_REQUIRED: an API token is not enough',
      '404': 'CUSTOMER_NOT_FOUND',
    },
  },
  {
    method: 'POST',
    path: '/api/customers/:id/people/:userId/erase',
    summary: 'Erase one person of a customer: their key, user document, sessions and contacts',
    access: { roles: ['operator'] },
    answers: {
      '403': 'SIGN_IN_REQUIRED: an API token is not enough',
      '404': 'PERSON_NOT_FOUND',
    },
  },
];
