import { flowApi } from '../../../api/flow-api';
import type { LoginStep } from '../login/login-api';

/** `GET /auth/signup` (libs/auth-service/src/signup/signup.controller.ts). */
export interface SignupOptions {
  enabled: boolean;
  min_password_length: number;
  max_password_length: number;
}

/** Every sign-up answers this, whether or not the address had an account (no enumeration). */
export type VerifyEmail = { next: 'verify_email' };

export const signupApi = {
  options: () => flowApi.get<SignupOptions>('/auth/signup'),
  signUp: (body: { email: string; password: string; claims?: { name: string }; login_challenge?: string }) => flowApi.post<VerifyEmail>('/auth/signup', body),
  /** Once the address is verified (in any tab), the sign-in this sign-up started goes on. */
  continue: (challenge: string) => flowApi.post<VerifyEmail | LoginStep>('/auth/signup/continue', { login_challenge: challenge }),
};
