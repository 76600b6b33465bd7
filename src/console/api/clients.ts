import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { LockoutService } from "../../../gen/latchkey/v1/lockout_service_pb.js";
import { AuthService } from "../../../gen/zitadel/auth_pb.js";
import { ManagementService } from "../../../gen/zitadel/management_pb.js";

/** The services the console calls, all over gRPC-web as other clients do. */
export interface Api {
  readonly management: Client<typeof ManagementService>;
  readonly lockout: Client<typeof LockoutService>;
  readonly auth: Client<typeof AuthService>;
}

export interface ApiOptions {
  readonly baseUrl: string;
  readonly accessToken: () => string | undefined;
  /** The organisation to act in (x-zitadel-orgid); undefined = the caller's own. */
  readonly orgId: () => string | undefined;
}

export function createApi(options: ApiOptions): Api {
  const credentials: Interceptor = (next) => (req) => {
    const token = options.accessToken();
    if (token) req.header.set("authorization", `Bearer ${token}`);
    const orgId = options.orgId();
    if (orgId) req.header.set("x-zitadel-orgid", orgId);
    return next(req);
  };
  const transport = createGrpcWebTransport({ baseUrl: options.baseUrl, interceptors: [credentials] });
  return {
    management: createClient(ManagementService, transport),
    lockout: createClient(LockoutService, transport),
    auth: createClient(AuthService, transport),
  };
}
