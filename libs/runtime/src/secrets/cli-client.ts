import { join } from 'node:path';

/** The bootstrap admin client the CLI signs in as (client_credentials, admin scopes). */
export const CLI_CLIENT_ID = 'tessera-cli';

/** Its secret's file in the data directory (mode 0600), when TESSERA_CLI_SECRET does not give it. */
export const CLI_SECRET_FILE = 'cli.secret';

export const cliSecretPath = (dataDir: string) => join(dataDir, CLI_SECRET_FILE);
