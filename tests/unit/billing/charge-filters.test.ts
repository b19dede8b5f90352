import { describe, expect, it } from "vitest";
import { ALL_FILTER_VALUES, chargeFilterErrors, filterBucketOf, filterLineName, type ChargeFilter } from "@/lib/rating/charge-filters";

const filter = (values: Record<string, string[]>, name: string | null = null): ChargeFilter => ({ invoice_display_name: name, properties: { amount: "1" }, values });

describe("charge filters: which bucket an event falls in", () => {
  const filters = [
    filter({ request_type: ["geocode", "directions"] }),
    filter({ request_type: ["directions"], region: ["us"] }),
    filter({ region: [ALL_FILTER_VALUES], tier: ["pro"] }),
  ];

  it("needs every key of a filter to match, and picks the most specific match", () => {
    expect(filterBucketOf({ request_type: "geocode" }, filters)).toBe(0);
    expect(filterBucketOf({ request_type: "directions", region: "ca" }, filters)).toBe(0);
    expect(filterBucketOf({ request_type: "directions", region: "us" }, filters)).toBe(1);
    expect(filterBucketOf({ request_type: "tiles", region: "us" }, filters)).toBeNull();
  });

  it("reads __ALL_FILTER_VALUES__ as any value of a present key, and ties go to the first filter", () => {
    expect(filterBucketOf({ region: "eu", tier: "pro" }, filters)).toBe(2);
    expect(filterBucketOf({ tier: "pro" }, filters)).toBeNull();
    // Both the second and the third filter match with two keys: the first listed wins.
    expect(filterBucketOf({ request_type: "directions", region: "us", tier: "pro" }, filters)).toBe(1);
  });

  it("puts events without the property, with null or structured values, in the default bucket; numbers compare as text", () => {
    expect(filterBucketOf({}, filters)).toBeNull();
    expect(filterBucketOf(null, filters)).toBeNull();
    expect(filterBucketOf({ request_type: null }, filters)).toBeNull();
    expect(filterBucketOf({ request_type: ["geocode"] }, filters)).toBeNull();
    expect(filterBucketOf({ code: 12 }, [filter({ code: ["12"] })])).toBe(0);
  });

  it("names a line by the filter's display name, else the charge and the values", () => {
    expect(filterLineName("Map requests", filter({ request_type: ["geocode"] }, "Geocoding"))).toBe("Geocoding");
    expect(filterLineName("Map requests", filter({ request_type: ["geocode", "directions"] }))).toBe("Map requests — geocode, directions");
  });
});

describe("charge filters: checked against the metric's declared filters", () => {
  const declared = [{ key: "request_type", values: ["geocode", "directions"] }, { key: "region", values: ["ca", "us"] }];

  it("accepts declared keys and values, and __ALL_FILTER_VALUES__", () => {
    expect(chargeFilterErrors([{ values: { request_type: ["geocode"] } }, { values: { region: [ALL_FILTER_VALUES] } }], declared, "filters")).toEqual({});
  });

  it("refuses unknown keys, unknown or no values, empty filters and duplicates, with their path", () => {
    expect(chargeFilterErrors([
      { values: { country: ["ca"] } },
      { values: { request_type: ["teleport"] } },
      { values: { region: [] } },
      { values: {} },
      { values: { request_type: ["directions", "geocode"] } },
      { values: { request_type: ["geocode", "directions"] } },
    ], declared, "charges.0.filters")).toEqual({
      "charges.0.filters.0.values.country": ["invalid_filter_key"],
      "charges.0.filters.1.values.request_type": ["invalid_filter_value"],
      "charges.0.filters.2.values.region": ["invalid_filter_value"],
      "charges.0.filters.3.values": ["value_is_mandatory"],
      "charges.0.filters.5.values": ["value_already_exist"],
    });
  });
});
