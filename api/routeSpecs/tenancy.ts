import { z } from 'zod';
import {
  CreateCustomerRequest,
  CreatePartnerRequest,
  CustomerView,
  InvitationView,
  InvitePartnerPersonRequest,
  InvitePersonRequest,
  PartnerView,
  PersonView,
  SiteRequest,
  SiteView,
  UpdateCustomerRequest,
  UpdatePersonRequest,
  UpdateSiteRequest,
} from '../../contracts/tenancy';
import type { RouteSpec } from '../routeSpec';

// The console's routes (api/routes/tenants.ts, people.ts, sites.ts, partners.ts).

const notFound = 'CUSTOMER_NOT_FOUND: no such customer, or not one the caller reaches';
const signInOnly = 'SIGN_IN_REQUIRED: a person signed in with an emailed code, not an API token';

export const tenancyRoutes: RouteSpec[] = [
  {
    method: 'POST',
    path: '/api/customers',
    summary:
      "Onboard a business: its numbers, its sites, and its first admin invited by e-mail (a partner's are its own)",
    access: { roles: ['operator', 'partner'] },
    body: CreateCustomerRequest,
    response: z.object({ customer: CustomerView }),
    answers: {
      '201': 'Created',
      '400': 'INVALID_REQUEST, or PARTNER_NOT_FOUND',
      '403': 'FORBIDDEN: a partner named another partner',
      '409': 'PHONE_IN_USE: another customer already calls from one of the numbers',
    },
  },
  {
    method: 'GET',
    path: '/api/customers/:id',
    summary: 'A customer: contacts, numbers, subscription (and what it means), partner, sites',
    access: { roles: ['operator', 'partner', 'customer'] },
    response: CustomerView,
    answers: { '404': notFound },
  },
  {
    method: 'PATCH',
    path: '/api/customers/:id',
    summary:
      "Change a customer: operators anything; partners all but the partner; the customer's admins their contact details",
    access: { roles: ['operator', 'partner', 'customer_admin'] },
    body: UpdateCustomerRequest,
    response: CustomerView,
    answers: {
      '403': `FORBIDDEN: a field the caller may not change; ${signInOnly} (a subscription change)`,
      '404': notFound,
      '409': 'PHONE_IN_USE',
    },
  },
  {
    method: 'GET',
    path: '/api/customers/:id/people',
    summary: "A customer's people and their roles (admin or member)",
    access: { roles: ['operator', 'partner', 'customer_admin'] },
    response: z.object({ people: z.array(PersonView) }),
    answers: { '404': notFound },
  },
  {
    method: 'POST',
    path: '/api/customers/:id/people',
    summary:
      'Invite a person by e-mail (the same answer whether or not the address has an account elsewhere)',
    access: { roles: ['operator', 'partner', 'customer_admin'] },
    body: InvitePersonRequest,
    response: z.object({ invitation: InvitationView }),
    answers: { '201': 'Invited', '403': signInOnly, '404': notFound },
  },
  {
    method: 'PATCH',
    path: '/api/customers/:id/people/:userId',
    summary: "Make a customer's person an admin or a member",
    access: { roles: ['operator', 'partner', 'customer_admin'] },
    body: UpdatePersonRequest,
    response: z.object({ person: PersonView }),
    answers: {
      '403': signInOnly,
      '404': `${notFound}; PERSON_NOT_FOUND`,
      '409': 'LAST_ADMIN: a business keeps at least one admin',
    },
  },
  {
    method: 'DELETE',
    path: '/api/customers/:id/people/:userId',
    summary: "Remove a customer's person: their sign-ins end at once",
    access: { roles: ['operator', 'partner', 'customer_admin'] },
    answers: {
      '204': 'Removed',
      '403': signInOnly,
      '404': `${notFound}; PERSON_NOT_FOUND`,
      '409': 'LAST_ADMIN: a business keeps at least one admin',
    },
  },
  {
    method: 'GET',
    path: '/api/customers/:id/sites',
    summary: "A customer's sites",
    access: { roles: ['operator', 'partner', 'customer'] },
    response: z.object({ sites: z.array(SiteView) }),
    answers: { '404': notFound },
  },
  {
    method: 'POST',
    path: '/api/customers/:id/sites',
    summary: 'Add a site',
    access: { roles: ['operator', 'partner', 'customer_admin'] },
    body: SiteRequest,
    response: z.object({ site: SiteView }),
    answers: { '201': 'Created', '404': notFound },
  },
  {
    method: 'PATCH',
    path: '/api/customers/:id/sites/:siteId',
    summary: 'Rename a site or change its address',
    access: { roles: ['operator', 'partner', 'customer_admin'] },
    body: UpdateSiteRequest,
    response: z.object({ site: SiteView }),
    answers: { '404': `${notFound}; SITE_NOT_FOUND` },
  },
  {
    method: 'POST',
    path: '/api/partners',
    summary: 'Add a partner (a managed service provider)',
    access: { roles: ['operator'] },
    body: CreatePartnerRequest,
    response: z.object({ partner: PartnerView }),
    answers: { '201': 'Created' },
  },
  {
    method: 'GET',
    path: '/api/partners',
    summary: 'Every partner',
    access: { roles: ['operator'] },
    response: z.object({ partners: z.array(PartnerView) }),
  },
  {
    method: 'POST',
    path: '/api/partners/:id/people',
    summary:
      "Invite one of a partner's people by e-mail (the same answer whether or not the address has an account elsewhere)",
    access: { roles: ['operator'] },
    body: InvitePartnerPersonRequest,
    response: z.object({ invitation: InvitationView }),
    answers: { '201': 'Invited', '403': signInOnly, '404': 'PARTNER_NOT_FOUND' },
  },
];
