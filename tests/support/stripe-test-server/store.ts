// In-memory object store of the Stripe test server: prefixed ids, collections by id prefix, lists and `expand[]`.
import { randomBytes } from "node:crypto";
import { invalidRequest, integerParam, noSuch, stringParam, type Params } from "./http";

export type StripeObject = { id: string; object: string; created: number; [field: string]: unknown };

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString("base64url").replace(/[-_]/g, "x")}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

const kinds = {
  cus: "customer",
  pm: "payment_method",
  seti: "setup_intent",
  pi: "payment_intent",
  ch: "charge",
  re: "refund",
  dp: "dispute",
  cs: "checkout.session",
  evt: "event",
} as const;
type Prefix = keyof typeof kinds;

export class ObjectStore {
  private readonly objects = new Map<string, StripeObject>();
  private sequence = 0;
  /** Creation order, so lists are newest-first even within one second. */
  private readonly order = new Map<string, number>();

  insert<T extends StripeObject>(object: T): T {
    this.objects.set(object.id, object);
    this.order.set(object.id, this.sequence++);
    return object;
  }

  find(id: string): StripeObject | undefined {
    return this.objects.get(id);
  }

  /** The object, or Stripe's 404 naming its kind. */
  get(prefix: Prefix, id: string, param = "id"): StripeObject {
    const object = this.objects.get(id);
    if (!object || !id.startsWith(`${prefix}_`)) throw noSuch(kinds[prefix].replace(".", " "), id, param);
    return object;
  }

  all(prefix: Prefix): StripeObject[] {
    return [...this.objects.values()].filter((o) => o.id.startsWith(`${prefix}_`));
  }

  /** Stripe's list envelope, newest first, with `limit`, `starting_after` and `ending_before`. */
  list(items: StripeObject[], params: Params, url: string, expand: string[] = []) {
    const limit = integerParam(params, "limit") ?? 10;
    if (limit < 1 || limit > 100) throw invalidRequest("This value must be between 1 and 100.", "limit");
    let sorted = [...items].sort((a, b) => b.created - a.created || this.order.get(b.id)! - this.order.get(a.id)!);
    const after = stringParam(params, "starting_after");
    const before = stringParam(params, "ending_before");
    if (after) sorted = sorted.slice(sorted.findIndex((o) => o.id === after) + 1);
    let data: StripeObject[];
    let hasMore: boolean;
    if (before) {
      const upTo = sorted.slice(0, Math.max(0, sorted.findIndex((o) => o.id === before)));
      data = upTo.slice(-limit);
      hasMore = upTo.length > limit;
    } else {
      data = sorted.slice(0, limit);
      hasMore = sorted.length > limit;
    }
    const dataExpand = expand.filter((p) => p.startsWith("data.")).map((p) => p.slice("data.".length));
    return { object: "list", data: data.map((o) => this.render(o, dataExpand)), has_more: hasMore, url };
  }

  /** A copy of the object with the `expand[]` paths (e.g. `setup_intent.payment_method`) replaced by their objects. */
  render(object: StripeObject, expand: string[] = []): StripeObject {
    const copy = structuredClone(object);
    for (const path of expand) this.expandPath(copy, path.split("."), path);
    return copy;
  }

  private expandPath(target: Record<string, unknown>, path: string[], full: string): void {
    const [field, ...rest] = path;
    let value = target[field];
    if (value === undefined) throw invalidRequest(`This property cannot be expanded (${field}).`, "expand", "parameter_invalid_expand");
    if (value === null) return;
    if (typeof value === "string") {
      const found = this.objects.get(value);
      if (!found) throw invalidRequest(`This property cannot be expanded (${full}).`, "expand");
      value = structuredClone(found);
      target[field] = value;
    }
    if (rest.length > 0 && typeof value === "object") this.expandPath(value as Record<string, unknown>, rest, full);
  }
}
