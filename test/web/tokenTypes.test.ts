import { TokenRole, type TokenView } from '../../contracts/apiTokens';
import {
  tokenRoles as portalTokenRoles,
  type ApiTokenView as PortalTokenView,
} from '../../portal/shared/types/api';

// The API tokens page keeps its own copy of the token shapes (portal/shared/types/api.ts):
// held to the contract here, so a role or field the API adds or renames fails in CI.

// Checked by the compiler (npm run lint): what GET /api/tokens sends fits what the page reads.
type Fits<T extends U, U> = T;
export type TokenViewFits = Fits<TokenView, PortalTokenView>;

it('the portal lists the same token roles as the contract', () => {
  expect([...portalTokenRoles]).toEqual([...TokenRole.options]);
});
