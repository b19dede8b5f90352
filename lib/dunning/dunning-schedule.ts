/**
 * When a dunning campaign acts, as a pure function of the campaign and how far it got. Days count from the first
 * failed charge: with retries on days 1, 3 and 7 and suspension on day 7, a card that keeps failing is retried three
 * times and the subscriptions are suspended right after the last retry.
 */
export interface CampaignRules {
  retryDays: number[];
  suspendAfterDays: number;
}

export type DunningAction = { kind: "retry"; attempt: number; at: Date } | { kind: "suspend"; at: Date };

const DAY_MS = 24 * 60 * 60 * 1000;

export function validateCampaignRules(rules: CampaignRules): string | null {
  if (rules.retryDays.length === 0) return "Give at least one retry day";
  if (rules.retryDays.length > 10) return "At most 10 retries";
  if (rules.retryDays.some((d) => !Number.isInteger(d) || d < 0 || d > 90)) return "Retry days are whole days from 0 to 90";
  if (rules.retryDays.some((d, i) => i > 0 && d <= rules.retryDays[i - 1])) return "Retry days must increase";
  if (!Number.isInteger(rules.suspendAfterDays) || rules.suspendAfterDays < rules.retryDays.at(-1)! || rules.suspendAfterDays > 120) {
    return "Suspension comes on or after the last retry day (at most 120)";
  }
  return null;
}

/** The action after `retriesDone` retries of a campaign started at `startedAt`. */
export function nextDunningAction(rules: CampaignRules, startedAt: Date, retriesDone: number): DunningAction {
  if (retriesDone < rules.retryDays.length) {
    return { kind: "retry", attempt: retriesDone + 1, at: new Date(startedAt.getTime() + rules.retryDays[retriesDone] * DAY_MS) };
  }
  return { kind: "suspend", at: new Date(startedAt.getTime() + rules.suspendAfterDays * DAY_MS) };
}

export const DEFAULT_CAMPAIGN_RULES: CampaignRules = { retryDays: [1, 3, 7], suspendAfterDays: 7 };
