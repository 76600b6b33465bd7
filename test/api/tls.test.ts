import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { connect as http2Connect } from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import * as grpc from "@grpc/grpc-js";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { service as healthDefinition } from "grpc-health-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagementService } from "../../gen/zitadel/management_pb.js";
import { createApp, type App } from "../../src/app.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/lib/logger.js";
import { listen, type Listener } from "../../src/server/listen.js";
import { loadTlsFiles } from "../../src/server/tls.js";
import { hasOpenssl, makeSelfSignedCertificate, type TestCertificate } from "../support/certificate.js";

// Store-independent: runs once, on the default project.
const skip = !hasOpenssl() || process.env.TEST_STORE === "postgres";

describe.skipIf(skip)("TLS on the one port", () => {
  let dir: string;
  let certificate: TestCertificate;
  let app: App;
  let listener: Listener;
  let baseUrl: string;
  let pat: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "latchkey-tls-"));
    certificate = makeSelfSignedCertificate(dir);
    const config = loadConfig({
      LATCHKEY_DATABASE: join(dir, "latchkey.db"),
      LATCHKEY_FIRST_INSTANCE_PAT_PATH: join(dir, "admin.pat"),
      LATCHKEY_TLS_CERT: certificate.certPath,
      LATCHKEY_TLS_KEY: certificate.keyPath,
    });
    app = await createApp(config, { logger: silentLogger });
    listener = await listen(app.handler, 0, "127.0.0.1", app.streamHandler, { tls: loadTlsFiles(config) });
    baseUrl = `https://127.0.0.1:${listener.port}`;
    pat = (await import("node:fs")).readFileSync(join(dir, "admin.pat"), "utf8").trim();
  });
  afterAll(async () => {
    await listener?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const headers = () => ({ authorization: `Bearer ${pat}` });
  const adminId = () => app.instance.created!.adminUserId;

  it("negotiates h2 by ALPN and serves gRPC over it", async () => {
    const session = http2Connect(baseUrl, { ca: certificate.cert });
    await new Promise<void>((resolve, reject) => session.once("connect", () => resolve()).once("error", reject));
    expect(session.alpnProtocol).toBe("h2");
    session.close();

    const client = createClient(ManagementService, createGrpcTransport({ baseUrl, nodeOptions: { ca: certificate.cert } }));
    const { user } = await client.getUserByID({ id: adminId() }, { headers: headers() });
    expect(user?.userName).toBe("latchkey-admin");
  });

  it.each([[["http/1.1"]], [undefined]])("serves REST over HTTP/1.1 on the same port (client offers %j)", async (offered) => {
    const options = { ca: certificate.cert, headers: headers(), ALPNProtocols: offered, agent: false as const };
    const answer = await new Promise<{ status: number; alpn: string | false | null; body: string }>((resolve, reject) => {
      const req = httpsRequest(`${baseUrl}/management/v1/users/${adminId()}`, options, (res) => {
        const alpn = (res.socket as TLSSocket).alpnProtocol;
        let body = "";
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, alpn, body }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(answer.alpn).toBe(offered ? "http/1.1" : false);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).user.userName).toBe("latchkey-admin");
  });

  it("serves gRPC-web and Connect over HTTP/1.1 and HTTP/2", async () => {
    const transports = [
      createGrpcWebTransport({ baseUrl, httpVersion: "1.1", nodeOptions: { ca: certificate.cert } }),
      createGrpcWebTransport({ baseUrl, httpVersion: "2", nodeOptions: { ca: certificate.cert } }),
      createConnectTransport({ baseUrl, httpVersion: "1.1", nodeOptions: { ca: certificate.cert } }),
      createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true, nodeOptions: { ca: certificate.cert } }),
    ];
    for (const transport of transports) {
      const { user } = await createClient(ManagementService, transport).getUserByID({ id: adminId() }, { headers: headers() });
      expect(user?.userName).toBe("latchkey-admin");
    }
  });

  it("works for grpc-js with TLS credentials", async () => {
    const Client = grpc.makeGenericClientConstructor(healthDefinition, "Health");
    const client = new Client(`127.0.0.1:${listener.port}`, grpc.credentials.createSsl(certificate.cert)) as grpc.Client & Record<string, any>;
    const reply = await new Promise<{ status: string }>((resolve, reject) =>
      client.check({ service: "" }, (error: Error | null, response: { status: string }) => (error ? reject(error) : resolve(response))),
    );
    client.close();
    expect(reply.status).toBe("SERVING");
  });
});

describe.skipIf(skip)("TLS settings", () => {
  it("refuse a missing file, naming the setting", () => {
    expect(() => loadTlsFiles({ tlsCert: "/nonexistent/cert.pem", tlsKey: "/nonexistent/key.pem" })).toThrow(
      /LATCHKEY_TLS_CERT names a file that cannot be read/,
    );
  });

  it("refuse a key that does not belong to the certificate", () => {
    const dir = mkdtempSync(join(tmpdir(), "latchkey-tls-"));
    try {
      const a = makeSelfSignedCertificate(mkdtempSync(join(dir, "a-")));
      const b = makeSelfSignedCertificate(mkdtempSync(join(dir, "b-")));
      expect(() => loadTlsFiles({ tlsCert: a.certPath, tlsKey: b.keyPath })).toThrow(ConfigError);
      writeFileSync(join(dir, "garbage.pem"), "not a key");
      expect(() => loadTlsFiles({ tlsCert: a.certPath, tlsKey: join(dir, "garbage.pem") })).toThrow(/LATCHKEY_TLS_KEY/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
