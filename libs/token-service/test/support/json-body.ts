/** A JSON response body (fetch types it `unknown`), with the OAuth members these tests read. */
export interface JsonBody {
  [member: string]: unknown;
  access_token: string;
  active: boolean;
  error: string;
  error_description: string;
}

export const json = async (res: Response): Promise<JsonBody> => (await res.json()) as JsonBody;
