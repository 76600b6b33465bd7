import type { DescMethod, DescService } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { ServerReflection as ServerReflectionV1 } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1alpha } from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { createHealthService } from "./health/health-service.js";
import type { Readiness } from "./health/readiness.js";
import { createDescriptorIndex } from "./reflection/descriptor-index.js";
import { createReflectionServiceV1, createReflectionServiceV1alpha } from "./reflection/reflection-service.js";

export type Routes = (router: ConnectRouter) => void;

/** The services `routes` registers, found by letting it register on a recorder. */
export function servicesOf(routes: Routes): DescService[] {
  const found = new Set<DescService>();
  const recorder = {
    service(service: DescService) {
      found.add(service);
      return recorder;
    },
    rpc(method: DescMethod) {
      found.add(method.parent);
      return recorder;
    },
  } as unknown as ConnectRouter;
  routes(recorder);
  return [...found];
}

/**
 * Adds grpc.health.v1 and server reflection (v1 and v1alpha) to the API's
 * routes. Both cover whatever the API registers, so services added later are
 * reported and reflected without further wiring.
 */
export function withOperationalServices(routes: Routes, readiness: Readiness): Routes {
  const services = [...servicesOf(routes), Health, ServerReflectionV1, ServerReflectionV1alpha];
  const index = createDescriptorIndex(services);
  const health = createHealthService({ readiness, services: services.map((service) => service.typeName) });
  const reflectionV1 = createReflectionServiceV1(index);
  const reflectionV1alpha = createReflectionServiceV1alpha(index);
  return (router) => {
    routes(router);
    router.service(Health, health);
    router.service(ServerReflectionV1, reflectionV1);
    router.service(ServerReflectionV1alpha, reflectionV1alpha);
  };
}
