import { CreateTokenRequest, TokenList, TokenView } from '../../contracts/apiTokens';
import { tokenManagers } from '../routes/tokens';
import { type RouteSpec } from '../routeSpec';

// Integration tokens (api/routes/tokens.ts).

export const tokensRoutes: RouteSpec[] = [
  {
    method: 'GET',
    path: '/api/tokens',
    summary:
      "Integration tokens: operators see all, a partner its own and its customers', a customer's admin its business's",
    access: { roles: tokenManagers },
    response: TokenList,
  },
  {
    method: 'POST',
    path: '/api/tokens',
    summary:
      'Make an integration token (a person signed in with an emailed code; never reaching further than its maker)',
    access: { roles: tokenManagers },
    body: CreateTokenRequest,
    answers: {
      '201': "Made: the token's text is in this answer only",
      '403': "SIGN_IN_REQUIRED (an API token cannot make tokens), or beyond the maker's reach",
      '404': 'No such customer or partner (operators)',
    },
  },
  {
    method: 'DELETE',
    path: '/api/tokens/:id',
    summary: 'Revoke an integration token at once (a person signed in with an emailed code)',
    access: { roles: tokenManagers },
    response: TokenView,
    answers: {
      '403': 'SIGN_IN_REQUIRED: an API token cannot revoke tokens',
      '404': 'No such token within your reach',
    },
  },
];
