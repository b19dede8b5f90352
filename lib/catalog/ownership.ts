import { DomainError } from "@/lib/errors";

/**
 * The catalog is shared: every service reads every metric and plan (plan codes are entitlements across apps). A
 * service may change only what it created; items created in the console or by another service are read-only to it.
 */
export function assertCatalogWritable(item: { serviceId: string | null }, serviceId: string | null, resource: string) {
  if (serviceId !== null && item.serviceId !== serviceId) {
    throw new DomainError("forbidden", `write_action_not_allowed_for_${resource}`, undefined, `This ${resource.replace(/_/g, " ")} belongs to another service or to the console`);
  }
}
