import { Injectable } from '@nestjs/common';

/** A way to sign in the login page offers (password, passkey, each upstream IdP). */
export interface LoginMethod {
  type: string;
  id?: string;
  name?: string;
  /** Where the browser starts it (upstream IdPs). */
  start_url?: string;
}

/** The sign-in methods the features register at start, listed on the login page. */
@Injectable()
export class LoginMethods {
  private readonly sources: Array<() => Promise<LoginMethod[]> | LoginMethod[]> = [() => [{ type: 'password' }]];

  register(source: () => Promise<LoginMethod[]> | LoginMethod[]): void {
    this.sources.push(source);
  }

  async list(): Promise<LoginMethod[]> {
    return (await Promise.all(this.sources.map((s) => s()))).flat();
  }
}
