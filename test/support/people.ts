import { issueApiToken, tokenRoleOf } from '../../store/apiTokens';
import { User } from '../../store/models';

// A person for a test, with an integration token acting as their own role.

export interface PersonFields {
  email: string;
  role: 'customer' | 'operator' | 'partner';
  name?: string;
  customerId?: string;
  customerRole?: 'admin' | 'member';
  partnerId?: string;
}

export async function createPersonWithToken(
  fields: PersonFields,
): Promise<{ id: string; token: string }> {
  const user = await User.create(fields);
  const { token } = await issueApiToken({
    name: 'Test token',
    role: tokenRoleOf(fields)!,
    customerId: fields.role === 'customer' ? fields.customerId : undefined,
    partnerId: fields.role === 'partner' ? fields.partnerId : undefined,
    createdBy: user._id,
  });
  return { id: user._id, token };
}
