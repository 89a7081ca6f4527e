import { flowApi } from '../../api/flow-api';

/** The app asking, as the token service describes it (libs/token-service challenges controller). */
export interface ConsentClient {
  client_id: string;
  client_name?: string;
  client_uri?: string;
  logo_uri?: string;
  policy_uri?: string;
  tos_uri?: string;
}

/** One requested scope as libs/scopes `describeScopes` explains it; no description for a scope it does not know. */
export interface ScopeDetail {
  name: string;
  description?: string;
  claims: string[];
}

/** `GET /auth/consent` (libs/auth-service/src/flows/consent.controller.ts). */
export interface ConsentView {
  consent_challenge: string;
  client?: ConsentClient;
  requested_scope: string[];
  scope_details?: ScopeDetail[];
  required_scope: string[];
  optional_scope: string[];
  requested_claims?: { id_token?: string[]; userinfo?: string[] };
  requested_resource?: string[];
  ui_locales?: string[];
  subject?: string;
}

export interface ConsentDecision {
  consent_challenge: string;
  grant_scope: string[];
  remember: boolean;
}

/** Both answers send the browser back to the token service. */
export interface Redirect {
  redirect_to: string;
}

export const consentApi = {
  view: (challenge: string) => flowApi.get<ConsentView>('/auth/consent', { consent_challenge: challenge }),
  accept: (decision: ConsentDecision) => flowApi.post<Redirect>('/auth/consent/accept', decision),
  reject: (challenge: string) => flowApi.post<Redirect>('/auth/consent/reject', { consent_challenge: challenge }),
};
