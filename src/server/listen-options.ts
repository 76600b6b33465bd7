import type { Config } from "../config.js";
import type { ListenOptions } from "./listen.js";
import { connectionsTheFileLimitAllows } from "./open-file-limit.js";
import { loadTlsFiles } from "./tls.js";

/** The listener's settings from the configuration; reads (and checks) the TLS files when TLS is on. */
export function listenOptionsFrom(config: Config): ListenOptions {
  return {
    tls: loadTlsFiles(config),
    maxConcurrentStreams: config.maxConcurrentStreams,
    maxHeaderBytes: config.maxHeaderBytes,
    idleTimeoutMs: config.idleTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs,
    requestBodyTimeoutMs: config.requestBodyTimeoutMs,
    maxConnections: Math.min(config.maxConnections, connectionsTheFileLimitAllows() ?? Number.MAX_SAFE_INTEGER),
  };
}
