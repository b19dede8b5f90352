import { readFileSync } from "node:fs";
import path from "node:path";
import { testEnv } from "./env";
import { repositoryRoot } from "./server-action-modules";

/**
 * Calling the built app's server actions over HTTP as React does: a POST to a page that uses the action, with the
 * `Next-Action` header naming it (ids from the build's server-reference manifest) and the arguments encoded as
 * React's encodeReply encodes them.
 */

interface ManifestEntry {
  workers: Record<string, unknown>;
  exportedName?: string;
  filename?: string;
}

export interface BuiltAction {
  id: string;
  /** A page of the app that uses the action (dynamic segments filled with `dynamicValue`). */
  page: string;
  name: string;
  file: string;
}

export const FAKE_ID = "00000000-0000-4000-8000-000000000002";

export function builtActions(dynamicValue = FAKE_ID): BuiltAction[] {
  const manifest = JSON.parse(readFileSync(path.join(repositoryRoot, ".next/server/server-reference-manifest.json"), "utf8")) as { node: Record<string, ManifestEntry> };
  return Object.entries(manifest.node).map(([id, entry]) => {
    const worker = Object.keys(entry.workers).find((w) => w.startsWith("app/")) ?? Object.keys(entry.workers)[0];
    const page = worker
      .replace(/^app/, "")
      .replace(/\/page$/, "")
      .split("/")
      .filter((segment) => !/^\(.*\)$/.test(segment))
      .map((segment) => (/^\[.*\]$/.test(segment) ? dynamicValue : segment))
      .join("/");
    return { id, page: page || "/", name: entry.exportedName ?? "?", file: entry.filename ?? "?" };
  });
}

export function builtAction(name: string, dynamicValue = FAKE_ID): BuiltAction {
  const found = builtActions(dynamicValue).find((a) => a.name === name);
  if (!found) throw new Error(`no built server action ${name}: run next build`);
  return found;
}

/** React's encoding of (...bound, previous state, FormData): the arguments in part 0, the form's fields in part 1. */
function encodedArguments(bound: unknown[], fields: Record<string, string>): FormData {
  const body = new FormData();
  // As React does: the form's fields first, the arguments last (the server resolves "$K1" from the parts before it).
  for (const [key, value] of Object.entries(fields)) body.set(`_1_${key}`, value);
  body.set("0", JSON.stringify([...bound, { status: "idle", message: null, fieldErrors: {}, values: {} }, "$K1"]));
  return body;
}

/** Calls a form action (`(...bound, state, formData)`); the answer is the RSC payload, which holds the action's result. */
export async function callFormAction(
  action: BuiltAction,
  cookies: string | null,
  options: { bound?: unknown[]; fields?: Record<string, string> } = {},
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${testEnv.baseUrl}${action.page}`, {
    method: "POST",
    redirect: "manual",
    headers: { "Next-Action": action.id, Accept: "text/x-component", ...(cookies ? { Cookie: cookies } : {}) },
    body: encodedArguments(options.bound ?? [FAKE_ID], options.fields ?? {}),
  });
  return { status: res.status, text: await res.text() };
}
