import { randomBytes } from "node:crypto";
import { Client } from "lago-javascript-client";
import { createPrismaClient, type Db } from "@/lib/db/prisma";
import { generateApiKey } from "@/lib/services/api-keys";
import { testEnv } from "./env";

let prisma: Db | undefined;

/** Direct database access for arranging and checking test data. */
export function testDb(): Db {
  prisma ??= createPrismaClient(testEnv.databaseUrl);
  return prisma;
}

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

export interface TestService {
  id: string;
  code: string;
  apiKey: string;
  apiKeyId: string;
  /**
   * The official Lago client, its base URL swapped to ours. Typed loosely: its generated types are narrower than Lago's
   * API (timezone enums, required nullable fields), and the tests deliberately send what real apps send, bad input too.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  lago: any;
  /** fetch against the API with this service's key. */
  call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}

export const apiBase = () => `${testEnv.baseUrl}/api/billing/v1`;

/** A fresh service with its own API key, so tests never see each other's customers or subscriptions. */
export async function createTestService(mode: "live" | "shadow" = "live"): Promise<TestService> {
  const code = `svc_${uniqueSuffix()}`;
  const key = generateApiKey();
  const service = await testDb().service.create({
    data: { code, name: `Test ${code}`, mode, apiKeys: { create: { prefix: key.prefix, keyHash: key.hash } } },
    include: { apiKeys: true },
  });
  return {
    id: service.id,
    code,
    apiKey: key.key,
    apiKeyId: service.apiKeys[0].id,
    lago: Client(key.key, { baseUrl: apiBase() }),
    call: (path, init = {}) => {
      const { json, headers, ...rest } = init;
      return fetch(`${apiBase()}${path}`, {
        ...rest,
        headers: { Authorization: `Bearer ${key.key}`, ...(json !== undefined ? { "Content-Type": "application/json" } : {}), ...(headers ?? {}) },
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      });
    },
  };
}

/** Awaits a Lago client call that must fail; returns its HTTP status and Lago error body. */
export async function lagoFailure(promise: Promise<unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    const response = error as { status?: number; error?: unknown };
    if (typeof response.status === "number") return { status: response.status, body: response.error as Record<string, unknown> };
    throw error;
  }
  throw new Error("Expected the call to fail, but it succeeded");
}
