import Decimal from "decimal.js";
import { invalidField } from "@/lib/errors";

/** Credits → cents at a wallet's rate. Credits worth a fraction of a cent are refused (never rounded away). */
export function creditsToCents(credits: string, rateAmount: Decimal.Value, field: string): bigint {
  const cents = new Decimal(credits).mul(rateAmount).mul(100);
  if (!cents.isInteger()) throw invalidField(field, "value_is_invalid", "Credits must be worth a whole number of cents at the wallet's rate");
  if (cents.gt(Number.MAX_SAFE_INTEGER)) throw invalidField(field, "value_is_out_of_range");
  return BigInt(cents.toFixed(0));
}

/** Cents → credits at a wallet's rate (5 decimals, Lago's precision). */
export function centsToCredits(cents: bigint, rateAmount: Decimal.Value): string {
  return new Decimal(cents.toString()).div(100).div(rateAmount).toDecimalPlaces(5, Decimal.ROUND_DOWN).toFixed();
}
