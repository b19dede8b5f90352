import { expect, type Page } from "@playwright/test";

const email = process.env.NEXA_TEST_ADMIN_EMAIL!;
const password = process.env.NEXA_TEST_ADMIN_PASSWORD!;

export const suffix = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

export async function signIn(page: Page, path: string) {
  await page.goto(`/signin?callbackUrl=${encodeURIComponent(path)}`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
}

export async function createService(page: Page, code: string, name: string) {
  await page.goto("/console/services");
  const form = page.getByRole("region", { name: "New service" });
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Code", { exact: true }).fill(code);
  await form.getByLabel("Mode").selectOption("live");
  await form.getByRole("button", { name: "Create service" }).click();
  await expect(page).toHaveURL(new RegExp(`/console/services/${code}$`));
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

/** Creates a key on the service page and returns the full key, read from the one response that shows it. */
export async function createApiKey(page: Page, name: string): Promise<string> {
  const keys = page.getByRole("region", { name: "API keys" });
  await keys.getByLabel("New key name").fill(name);
  await keys.getByRole("button", { name: "Create API key" }).click();
  const revealed = keys.getByTestId("revealed-secret");
  await expect(revealed).toHaveText(/^nexa_sk_\S{40,}$/);
  return (await revealed.textContent())!;
}

