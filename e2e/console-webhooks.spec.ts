import { expect, test } from "@playwright/test";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createApiKey, createService, signIn, suffix } from "./console-helpers";

test("a delivered webhook is replayed from its delivery page with the same event id", async ({ page, baseURL }) => {
  // The app's handler: answers 200 and keeps the event ids it receives.
  const received: string[] = [];
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received.push(String(req.headers["x-nexa-event-id"]));
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

  try {
    const code = `e2e_hooks_${suffix()}`;
    await signIn(page, "/console/services");
    await createService(page, code, "E2E Webhooks");
    const key = await createApiKey(page, "hooks");
    const endpointForm = page.getByRole("region", { name: "Webhooks" }).getByRole("form", { name: "Add a webhook endpoint" });
    await endpointForm.getByLabel("Endpoint URL").fill(url);
    await endpointForm.getByRole("button", { name: "Add endpoint" }).click();
    await expect(endpointForm.getByRole("status")).toContainText("every event type goes");

    // The app creates a customer: customer.created is delivered by the app's worker.
    const created = await fetch(`${baseURL}/api/billing/v1/customers`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ customer: { external_id: "hooked-1", name: "Hooked Ltd." } }),
    });
    expect(created.status).toBe(200);
    await expect.poll(() => received.length, { timeout: 15_000 }).toBe(1);

    const log = page.getByRole("region", { name: "Delivery log" });
    await expect.poll(async () => {
      await page.reload();
      return log.getByRole("row").filter({ hasText: "customer.created" }).getByTestId("delivery-status").textContent();
    }, { timeout: 15_000 }).toBe("delivered");
    await log.getByRole("link", { name: "customer.created" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "customer.created" })).toBeVisible();
    await expect(page.getByTestId("event-id")).toHaveText(received[0]);
    await expect(page.getByTestId("delivery-payload")).toContainText('"external_id": "hooked-1"');
    await expect(page.getByRole("region", { name: "Attempts" }).getByRole("row")).toHaveCount(2); // header + one attempt

    await page.getByRole("button", { name: "Replay" }).click();
    await page.getByRole("button", { name: "Yes, replay" }).click();
    await expect(page.getByRole("status")).toHaveText("Replay queued: the same event (same id) is sent again now.");
    await expect.poll(() => received.length, { timeout: 15_000 }).toBe(2);
    expect(received[1]).toBe(received[0]);
    await expect.poll(async () => {
      await page.reload();
      return page.getByTestId("delivery-attempts").textContent();
    }, { timeout: 15_000 }).toBe("2");
    await expect(page.getByTestId("delivery-status")).toHaveText("delivered");
  } finally {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
});
