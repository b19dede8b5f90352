import { isoInstant } from "@/lib/billing/calendar-date";

/** What the period close bills as one invoice: one customer's subscriptions with one service that share a boundary. */
export interface BillingGroup {
  customerId: string;
  serviceId: string;
  boundary: Date;
  shadow: boolean;
}

/** The group's key: the invoice's unique billing key, so a boundary is never billed twice. */
export function billingKey(group: BillingGroup): string {
  return `${group.customerId}:${group.serviceId}:${isoInstant(group.boundary)}${group.shadow ? ":shadow" : ""}`;
}
