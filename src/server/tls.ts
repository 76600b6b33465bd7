import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { ConfigError, settingName, type Config } from "../config.js";

export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * Reads the certificate and key named by LATCHKEY_TLS_CERT / LATCHKEY_TLS_KEY
 * (undefined when TLS is off) and checks that they load together, so a bad
 * file stops the start with the setting's name instead of failing handshakes.
 */
export function loadTlsFiles(config: Pick<Config, "tlsCert" | "tlsKey">): TlsFiles | undefined {
  if (!config.tlsCert) return undefined;
  // Named as the user gave them: --tls-cert on the command line, LATCHKEY_TLS_CERT in the environment.
  const certName = settingName(config, "tlsCert");
  const keyName = settingName(config, "tlsKey");
  const read = (path: string, setting: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigError(`${setting} names a file that cannot be read: ${path} (${(error as NodeJS.ErrnoException).code ?? error})`);
    }
  };
  const files = { cert: read(config.tlsCert, certName), key: read(config.tlsKey, keyName) };
  try {
    createSecureContext(files);
  } catch (error) {
    throw new ConfigError(`${certName} and ${keyName} must be a PEM certificate and its matching PEM private key (${(error as Error).message})`);
  }
  return files;
}
